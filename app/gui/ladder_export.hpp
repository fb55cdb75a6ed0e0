#pragma once
// The whole ladder (not just what the view shows) as PNG (twice the on-screen size, for
// sharp pasting), SVG or PDF (one page of exactly the ladder's size), drawn by the view's own
// painter in the light style.

#include <QString>

#include "ladder/ladder_layout.hpp"

namespace sipscope::gui {

inline constexpr double kPngScale = 2.0;

// The format follows the suffix (.png, .svg, .pdf). False and `error` when it cannot be written.
// `streams`: RTP streams drawn as bars, as on screen (nullptr: none).
bool exportLadder(const QString& path, const analyzer::LadderLayout& layout, bool proportional,
                  QString* error = nullptr,
                  const std::vector<analyzer::LadderStream>* streams = nullptr);

}  // namespace sipscope::gui
