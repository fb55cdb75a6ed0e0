#pragma once
// Giving up capture privileges once every interface is open (see the comment in main.cpp).

#include <string>

namespace sipscope::capture {

// Switches to the real user and group ids and clears every Linux capability. Does nothing when
// the real user is root. Returns false (with `error`) when the drop did not happen: the caller
// must then stop, never continue with privileges.
bool dropPrivileges(std::string& error);

}  // namespace sipscope::capture
