// Rough HTML-to-text for message bodies that arrive as HTML although the
// client asks for text (Prefer: outlook.body-content-type="text" is a hint).
#pragma once

#include <string>
#include <string_view>

namespace crmsync::graph {

// Drops tags, comments and the contents of <script>/<style>/<head>; turns <br>
// and block tags into line breaks; collapses HTML white space; decodes &amp;
// &lt; &gt; &quot; &#39; &apos; &nbsp; and numeric references (invalid code
// points become U+FFFD). Unknown entities are kept literally. Never fails.
std::string HtmlToText(std::string_view html);

}  // namespace crmsync::graph
