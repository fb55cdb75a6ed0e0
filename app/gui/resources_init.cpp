// Q_INIT_RESOURCE must run in the global namespace; the app's resources live in a static
// library, so nothing would pull them in otherwise.
#include <QtGlobal>

#include "resources_init.hpp"

static void initSipScopeResources() {
    Q_INIT_RESOURCE(resources);
}

namespace sipscope::gui {

void initResources() {
    static const bool done = (initSipScopeResources(), true);
    (void)done;
}

}  // namespace sipscope::gui
