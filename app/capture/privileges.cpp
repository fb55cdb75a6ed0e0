#include "privileges.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#ifdef __linux__
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

namespace sipscope::capture {

namespace {

std::string systemError(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace

bool dropPrivileges(std::string& error) {
    uid_t ruid = 0, euid = 0, suid = 0;
    gid_t rgid = 0, egid = 0, sgid = 0;
    if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0) {
        error = systemError("cannot read process ids");
        return false;
    }
    // Started by root itself (sudo, a root service): dropping would protect nothing.
    if (ruid == 0) return true;

    // Group first: once the uid is dropped the gid can no longer be changed.
    if (setresgid(rgid, rgid, rgid) != 0) {
        error = systemError("cannot drop group privileges");
        return false;
    }
    if (setresuid(ruid, ruid, ruid) != 0) {
        error = systemError("cannot drop user privileges");
        return false;
    }
#ifdef __linux__
    // File capabilities (setcap) do not change the uid: clear every capability set explicitly.
    // Lowering one's own capabilities is always permitted; ambient ones go with the permitted.
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (syscall(SYS_capset, &header, data) != 0) {
        error = systemError("cannot clear capabilities");
        return false;
    }
    // We never exec, but if a future change did, the child could not gain privileges either.
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        error = systemError("cannot set no_new_privs");
        return false;
    }
#endif
    // Fail closed: being able to become root again means the drop did not work.
    if (euid == 0 && setuid(0) == 0) {
        error = "privileges could not be dropped: setuid(0) still succeeds";
        return false;
    }
    return true;
}

}  // namespace sipscope::capture
