#include "eddy/connectors/bucket_assigner.h"

#include <ctime>

#include <fmt/format.h>

#include "eddy/core/exceptions.h"

namespace eddy {
namespace {

constexpr int kMaxOffsetSeconds = 18 * 3600;  // Java's ZoneOffset range

// "HH:MM" with HH <= 18 and MM < 60, as seconds; nullopt otherwise.
std::optional<int> parse_hours_minutes(const std::string& text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  const int seconds = hours * 3600 + minutes * 60;
  if (minutes >= 60 || seconds > kMaxOffsetSeconds) return std::nullopt;
  return seconds;
}

bool is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Floor division: instants before 1970 fall into the second that contains them.
int64_t floor_div(int64_t value, int64_t divisor) {
  return value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor);
}

}  // namespace

ZoneId ZoneId::of(const std::string& id) {
  if (id == "UTC" || id == "GMT" || id == "Z") return ZoneId(id, 0, false);
  std::string offset = id;
  if (offset.starts_with("UTC") || offset.starts_with("GMT")) offset = offset.substr(3);
  if (offset.size() == 6 && (offset[0] == '+' || offset[0] == '-')) {
    if (std::optional<int> seconds = parse_hours_minutes(offset.substr(1))) {
      return ZoneId(id, offset[0] == '-' ? -*seconds : *seconds, false);
    }
  }
  throw InvalidProgramException(
      fmt::format("ZoneId: unsupported zone '{}' (supported: UTC, GMT, Z, a fixed offset such as "
                  "+05:30 or UTC-03:00, and ZoneId::system_default(), which follows TZ)",
                  id));
}

DateTimeFormatter DateTimeFormatter::of_pattern(const std::string& pattern) {
  std::vector<Element> elements;
  auto literal = [&](std::string_view text) {
    if (elements.empty() || elements.back().field != Field::kLiteral) {
      elements.push_back({Field::kLiteral, 0, {}});
    }
    elements.back().literal += text;
  };
  auto invalid = [&](const std::string& why) {
    return InvalidProgramException(
        fmt::format("DateTimeFormatter: {} in pattern '{}' (supported: yyyy, yy, MM, dd, HH, mm, "
                    "ss, 'quoted text' and characters other than letters)",
                    why, pattern));
  };
  for (size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (c == '\'') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {  // '' is one quote
        literal("'");
        i += 2;
        continue;
      }
      std::string text;
      size_t j = i + 1;
      for (;; ++j) {
        if (j == pattern.size()) throw invalid("an unterminated quote");
        if (pattern[j] != '\'') {
          text += pattern[j];
        } else if (j + 1 < pattern.size() && pattern[j + 1] == '\'') {
          text += '\'';
          ++j;
        } else {
          break;
        }
      }
      literal(text);
      i = j + 1;
      continue;
    }
    if (!is_ascii_letter(c)) {
      literal(std::string_view(&c, 1));
      ++i;
      continue;
    }
    size_t end = i;
    while (end < pattern.size() && pattern[end] == c) ++end;
    const int count = static_cast<int>(end - i);
    Field field;
    switch (c) {
      case 'y':
        field = Field::kYear;
        break;
      case 'M':
        field = Field::kMonth;
        break;
      case 'd':
        field = Field::kDay;
        break;
      case 'H':
        field = Field::kHour;
        break;
      case 'm':
        field = Field::kMinute;
        break;
      case 's':
        field = Field::kSecond;
        break;
      default:
        throw invalid(fmt::format("the unsupported letter '{}'", c));
    }
    if (field != Field::kYear && count > 2) {
      throw invalid(fmt::format("'{}' repeated {} times (at most 2)", c, count));
    }
    elements.push_back({field, count, {}});
    i = end;
  }
  return DateTimeFormatter(pattern, std::move(elements));
}

std::string DateTimeFormatter::format(int64_t epoch_millis, const ZoneId& zone) const {
  const int64_t seconds = floor_div(epoch_millis, 1000);
  std::tm civil{};
  if (zone.is_system_default()) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    if (::localtime_r(&t, &civil) == nullptr) {
      throw EddyException(
          fmt::format("DateTimeFormatter: cannot convert {} ms to local time", epoch_millis));
    }
  } else {
    const std::time_t t = static_cast<std::time_t>(seconds + zone.offset_seconds());
    if (::gmtime_r(&t, &civil) == nullptr) {
      throw EddyException(fmt::format("DateTimeFormatter: cannot convert {} ms to a date in {}",
                                      epoch_millis, zone.id()));
    }
  }
  const int64_t year = int64_t{civil.tm_year} + 1900;
  std::string out;
  out.reserve(pattern_.size() + 8);
  auto number = [&](int64_t value, int width) {
    if (value < 0) {
      out += '-';
      value = -value;
    }
    fmt::format_to(std::back_inserter(out), "{:0{}}", value, width);
  };
  for (const Element& element : elements_) {
    switch (element.field) {
      case Field::kLiteral:
        out += element.literal;
        break;
      case Field::kYear:
        if (element.width == 2) {
          number(((year % 100) + 100) % 100, 2);
        } else {
          number(year, element.width);
        }
        break;
      case Field::kMonth:
        number(civil.tm_mon + 1, element.width);
        break;
      case Field::kDay:
        number(civil.tm_mday, element.width);
        break;
      case Field::kHour:
        number(civil.tm_hour, element.width);
        break;
      case Field::kMinute:
        number(civil.tm_min, element.width);
        break;
      case Field::kSecond:
        number(civil.tm_sec, element.width);
        break;
    }
  }
  return out;
}

}  // namespace eddy
