// GlobalWindows puts every element of a key into the single GlobalWindow. Its default trigger
// never fires, so it is used with a custom trigger (count windows are GlobalWindows plus a
// count trigger, built by the window operator).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eddy/windowing/global_window.h"
#include "eddy/windowing/window_assigner.h"

namespace eddy {

class GlobalWindows {
 public:
  using WindowType = GlobalWindow;
  static constexpr bool kIsMerging = false;

  static GlobalWindows create() { return GlobalWindows(); }

  std::vector<GlobalWindow> assign_windows(int64_t, const WindowAssignerContext&) const {
    return {GlobalWindow::get()};
  }

  bool is_event_time() const { return false; }
  DefaultTrigger default_trigger() const { return DefaultTrigger::kNever; }
  std::string to_string() const { return "GlobalWindows()"; }

 private:
  GlobalWindows() = default;
};

}  // namespace eddy
