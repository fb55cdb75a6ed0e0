#pragma once
// How call states look everywhere in the app: a colour that reads on the current palette (light
// or dark) and an icon with its own shape per state, so state is never told by colour alone.

#include <QColor>
#include <QIcon>
#include <QPalette>
#include <QString>

#include "calls/call_record.hpp"

namespace sipscope::gui {

QColor stateColor(analyzer::CallState state, const QPalette& palette);
QIcon stateIcon(analyzer::CallState state, const QPalette& palette);
QString stateLabel(analyzer::CallState state);  // "Answered", "Busy", ...
// Whether the palette is dark (window colour lightness below half).
bool isDark(const QPalette& palette);

}  // namespace sipscope::gui
