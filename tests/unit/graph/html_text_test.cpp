#include <catch2/catch.hpp>

#include "crmsync/graph/html_text.hpp"

using crmsync::graph::HtmlToText;

TEST_CASE("HtmlToText strips tags and decodes the common entities", "[graph][html]") {
  CHECK(HtmlToText("<b>Hi</b> &amp; &lt;you&gt; &quot;x&quot; &#39;y&#39; a&nbsp;b") ==
        "Hi & <you> \"x\" 'y' a b");
  CHECK(HtmlToText("plain text") == "plain text");
  CHECK(HtmlToText("") == "");
}

TEST_CASE("HtmlToText line breaks come from tags, white space collapses", "[graph][html]") {
  CHECK(HtmlToText("<p>one\n  two</p><p>three</p>") == "one two\nthree");
  CHECK(HtmlToText("a<br>b<br/><br />c") == "a\nb\n\nc");
  CHECK(HtmlToText("<div>x</div>\n\n<div>y</div>") == "x\ny");
}

TEST_CASE("HtmlToText drops head, style, script and comments", "[graph][html]") {
  CHECK(HtmlToText("<html><head><title>T</title><style>p{x:y}</style></head>"
                   "<body><!-- hidden <p> --><script>alert(1)</script>Body</body></html>") ==
        "Body");
  CHECK(HtmlToText("<STYLE type=\"text/css\">.a{}</STYLE>ok") == "ok");
}

TEST_CASE("HtmlToText numeric references and malformed input", "[graph][html]") {
  CHECK(HtmlToText("&#233;&#x1F600;") == "\xC3\xA9\xF0\x9F\x98\x80");
  CHECK(HtmlToText("&#xD800;&#0;&#99999999;") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(HtmlToText("AT&T &unknown; &") == "AT&T &unknown; &");
  CHECK(HtmlToText("text <unterminated") == "text");
  CHECK(HtmlToText("<style>never closed") == "");
  CHECK(HtmlToText("<!-- never closed") == "");
}
