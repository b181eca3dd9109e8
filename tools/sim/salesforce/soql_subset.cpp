#include "soql_subset.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

#include "sf_text.hpp"

namespace crmsync::sim::sf {
namespace {

enum class TokenKind { kIdent, kString, kNumber, kComma, kLParen, kRParen, kEquals, kNotEquals, kOther, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;   // as written (a string literal with its quotes)
  std::string value;       // unescaped string literal
  std::size_t column = 0;  // 1-based, for messages
};

constexpr std::array<std::string_view, 8> kFieldNames = {"Id", "Email", "Name", "FirstName",
                                                         "LastName", "IsActive", "FederationIdentifier",
                                                         "RelatedRecordId"};
constexpr std::array<std::string_view, 4> kObjects = {"Contact", "Lead", "User", "ServiceResource"};

SfError Malformed(std::string message) { return {"MALFORMED_QUERY", std::move(message), {}}; }

class Lexer {
 public:
  explicit Lexer(std::string_view soql) : soql_(soql) {}

  // Fills `token`; returns an error for a bad string literal.
  std::optional<SfError> Next(Token& token) {
    while (pos_ < soql_.size() && IsSpace(soql_[pos_])) ++pos_;
    token = Token{};
    token.column = pos_ + 1;
    if (pos_ >= soql_.size()) return std::nullopt;
    std::size_t start = pos_;
    char c = soql_[pos_];
    if (IsIdentStart(c)) {
      while (pos_ < soql_.size() && IsIdentChar(soql_[pos_])) ++pos_;
      token.kind = TokenKind::kIdent;
    } else if (c >= '0' && c <= '9') {
      while (pos_ < soql_.size() && IsIdentChar(soql_[pos_])) ++pos_;
      token.kind = TokenKind::kNumber;
    } else if (c == '\'') {
      return LexString(token);
    } else {
      ++pos_;
      switch (c) {
        case ',': token.kind = TokenKind::kComma; break;
        case '(': token.kind = TokenKind::kLParen; break;
        case ')': token.kind = TokenKind::kRParen; break;
        case '=': token.kind = TokenKind::kEquals; break;
        case '!':
          if (pos_ < soql_.size() && soql_[pos_] == '=') {
            ++pos_;
            token.kind = TokenKind::kNotEquals;
            break;
          }
          token.kind = TokenKind::kOther;
          break;
        default: token.kind = TokenKind::kOther;
      }
    }
    token.text = soql_.substr(start, pos_ - start);
    return std::nullopt;
  }

 private:
  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
  static bool IsIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  static bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

  std::optional<SfError> LexString(Token& token) {
    std::size_t start = pos_++;
    while (pos_ < soql_.size()) {
      char c = soql_[pos_++];
      if (c == '\'') {
        token.kind = TokenKind::kString;
        token.text = soql_.substr(start, pos_ - start);
        return std::nullopt;
      }
      if (c != '\\') {
        token.value.push_back(c);
        continue;
      }
      if (pos_ >= soql_.size()) break;
      char e = soql_[pos_++];
      switch (e) {
        case '\'': token.value.push_back('\''); break;
        case '"': token.value.push_back('"'); break;
        case '\\': token.value.push_back('\\'); break;
        case 'n': token.value.push_back('\n'); break;
        case 'r': token.value.push_back('\r'); break;
        case 't': token.value.push_back('\t'); break;
        case 'b': token.value.push_back('\b'); break;
        case 'f': token.value.push_back('\f'); break;
        default:
          return Malformed(fmt::format(
              "ERROR at Row:1:Column:{}\nInvalid string literal '{}'. Illegal character sequence "
              "'\\{}' in string literal.",
              start + 1, soql_.substr(start, pos_ - start), e));
      }
    }
    return Malformed(fmt::format("ERROR at Row:1:Column:{}\nunterminated string literal", start + 1));
  }

  std::string_view soql_;
  std::size_t pos_ = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view soql) : lexer_(soql) {}

  std::variant<SoqlQuery, SfError> Parse() {
    if (auto e = Advance()) return *e;
    if (!IsKeyword("SELECT")) return Unexpected();
    if (auto e = Advance()) return *e;
    std::vector<Token> field_tokens;
    while (true) {
      if (token_.kind != TokenKind::kIdent || IsKeyword("FROM")) return Unexpected();
      field_tokens.push_back(token_);
      if (auto e = Advance()) return *e;
      if (token_.kind == TokenKind::kLParen) {
        return Malformed(fmt::format("ERROR at Row:1:Column:{}\nfunction {} is not supported by "
                                     "the simulated Salesforce (only plain fields are)",
                                     field_tokens.back().column, field_tokens.back().text));
      }
      if (token_.kind != TokenKind::kComma) break;
      if (auto e = Advance()) return *e;
    }
    if (!IsKeyword("FROM")) return Unexpected();
    if (auto e = Advance()) return *e;
    if (token_.kind != TokenKind::kIdent) return Unexpected();
    SoqlQuery query;
    auto object = std::find_if(kObjects.begin(), kObjects.end(),
                               [&](std::string_view o) { return EqualsNoCase(o, token_.text); });
    if (object == kObjects.end()) {
      return SfError{"INVALID_TYPE",
                     fmt::format("ERROR at Row:1:Column:{}\nsObject type '{}' is not supported. "
                                 "The simulated Salesforce answers queries on Contact, Lead and User.",
                                 token_.column, token_.text),
                     {}};
    }
    query.sobject = std::string(*object);
    for (const Token& t : field_tokens) {
      auto field = ResolveField(t, query.sobject);
      if (std::holds_alternative<SfError>(field)) return std::get<SfError>(field);
      SoqlField f = std::get<SoqlField>(field);
      if (std::find(query.fields.begin(), query.fields.end(), f) != query.fields.end()) {
        return Malformed(fmt::format("duplicate field selected: {}", SoqlFieldName(f)));
      }
      query.fields.push_back(f);
    }
    if (auto e = Advance()) return *e;
    if (IsKeyword("WHERE")) {
      if (auto e = ParseWhere(query)) return *e;
    }
    if (IsKeyword("LIMIT")) {
      if (auto e = Advance()) return *e;
      std::uint64_t limit = 0;
      auto [end, ec] = std::from_chars(token_.text.data(), token_.text.data() + token_.text.size(), limit);
      if (token_.kind != TokenKind::kNumber || ec != std::errc() ||
          end != token_.text.data() + token_.text.size()) {
        return Unexpected();
      }
      query.limit = limit;
      if (auto e = Advance()) return *e;
    }
    if (token_.kind != TokenKind::kEnd) return Unexpected();
    return query;
  }

 private:
  std::optional<SfError> Advance() { return lexer_.Next(token_); }

  bool IsKeyword(std::string_view keyword) const {
    return token_.kind == TokenKind::kIdent && EqualsNoCase(token_.text, keyword);
  }

  SfError Unexpected() const {
    if (token_.kind == TokenKind::kEnd) {
      return Malformed(fmt::format("ERROR at Row:1:Column:{}\nunexpected end of query", token_.column));
    }
    return Malformed(fmt::format("ERROR at Row:1:Column:{}\nunexpected token: '{}'", token_.column,
                                 token_.text));
  }

  static std::variant<SoqlField, SfError> ResolveField(const Token& t, const std::string& sobject) {
    for (std::size_t i = 0; i < kFieldNames.size(); ++i) {
      if (!EqualsNoCase(kFieldNames[i], t.text)) continue;
      auto field = static_cast<SoqlField>(i);
      const bool resource = sobject == "ServiceResource";
      if (field == SoqlField::kFederationIdentifier && sobject != "User") break;
      if (field == SoqlField::kIsActive && sobject != "User" && !resource) break;
      if ((field == SoqlField::kRelatedRecordId) != resource && field != SoqlField::kId &&
          field != SoqlField::kName && field != SoqlField::kIsActive) {
        break;
      }
      return field;
    }
    return SfError{"INVALID_FIELD",
                   fmt::format("ERROR at Row:1:Column:{}\nNo such column '{}' on entity '{}'. If you "
                               "are attempting to use a custom field, be sure to append the '__c' "
                               "after the custom field name. Please reference your WSDL or the "
                               "describe call for the appropriate names.",
                               t.column, t.text, sobject),
                   {}};
  }

  std::optional<SfError> ParseWhere(SoqlQuery& query) {
    if (auto e = Advance()) return e;
    if (token_.kind != TokenKind::kIdent) return Unexpected();
    auto field = ResolveField(token_, query.sobject);
    if (std::holds_alternative<SfError>(field)) return std::get<SfError>(field);
    query.filter_field = std::get<SoqlField>(field);
    if (query.filter_field != SoqlField::kEmail && query.filter_field != SoqlField::kFederationIdentifier &&
        query.filter_field != SoqlField::kRelatedRecordId) {
      return Malformed(fmt::format("ERROR at Row:1:Column:{}\nthe simulated Salesforce filters only "
                                   "on Email (WHERE Email = '...', WHERE Email IN (...) or WHERE Email != null) "
                                   "and User.FederationIdentifier (= or IN), not on {}",
                                   token_.column, token_.text));
    }
    if (auto e = Advance()) return e;
    if (token_.kind == TokenKind::kNotEquals) {
      if (query.filter_field != SoqlField::kEmail) return Unexpected();
      if (auto e = Advance()) return e;
      if (!IsKeyword("null")) return Unexpected();
      query.email_not_null = true;
      return Advance();
    }
    query.filtered = true;
    if (token_.kind == TokenKind::kEquals) {
      if (auto e = Advance()) return e;
      if (token_.kind != TokenKind::kString) return Unexpected();
      query.emails.push_back(std::move(token_.value));
      return Advance();
    }
    if (!IsKeyword("IN")) return Unexpected();
    if (auto e = Advance()) return e;
    if (token_.kind != TokenKind::kLParen) return Unexpected();
    while (true) {
      if (auto e = Advance()) return e;
      if (token_.kind != TokenKind::kString) return Unexpected();
      query.emails.push_back(std::move(token_.value));
      if (auto e = Advance()) return e;
      if (token_.kind == TokenKind::kRParen) break;
      if (token_.kind != TokenKind::kComma) return Unexpected();
    }
    return Advance();
  }

  Lexer lexer_;
  Token token_;
};

}  // namespace

std::string_view SoqlFieldName(SoqlField field) { return kFieldNames[static_cast<std::size_t>(field)]; }

std::variant<SoqlQuery, SfError> ParseSoql(std::string_view soql) {
  return Parser(soql).Parse();
}

}  // namespace crmsync::sim::sf
