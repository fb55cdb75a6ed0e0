#pragma once

namespace sipscope::gui {

// Registers the app's Qt resources (icons); safe to call more than once.
void initResources();

}  // namespace sipscope::gui
