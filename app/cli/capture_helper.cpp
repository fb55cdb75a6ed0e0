#include "capture_helper.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>

namespace sipscope::cli {

namespace fs = std::filesystem;

std::string findCaptureHelper() {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        for (const fs::path& p :
             {self.parent_path() / "sipscope-capture",
              self.parent_path().parent_path() / "capture" / "sipscope-capture"})
            if (fs::exists(p, ec)) return p.string();
    }
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');)
        if (fs::exists(fs::path(dir) / "sipscope-capture", ec))
            return (fs::path(dir) / "sipscope-capture").string();
    return {};
}

bool startHelper(const std::string& helper, const std::vector<std::string>& args,
                 HelperProcess& out, std::string& error) {
    char tmpl[] = "/tmp/sipscope-capture-XXXXXX";
    const int errFd = mkstemp(tmpl);
    if (errFd < 0) {
        error = "cannot create a temporary file";
        return false;
    }
    out.stderrPath = tmpl;
    int pipeFds[2];
    if (pipe(pipeFds) != 0) {
        close(errFd);
        error = "cannot create a pipe";
        return false;
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(helper.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int pid = fork();
    if (pid < 0) {
        error = "cannot start the capture helper";
        return false;
    }
    if (pid == 0) {
        dup2(pipeFds[1], 1);
        dup2(errFd, 2);
        close(pipeFds[0]);
        close(pipeFds[1]);
        close(errFd);
        execv(helper.c_str(), argv.data());
        _exit(127);
    }
    close(pipeFds[1]);
    close(errFd);
    out.pid = pid;
    out.stdoutFd = pipeFds[0];
    return true;
}

int waitHelper(HelperProcess& p) {
    int status = 0;
    if (p.pid > 0) waitpid(p.pid, &status, 0);
    p.pid = -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 2;
}

namespace {
// The unsigned number after "key": in a JSON line, if any.
std::optional<std::uint64_t> jsonNumber(const std::string& line, const std::string& key) {
    const auto at = line.find("\"" + key + "\":");
    if (at == std::string::npos) return std::nullopt;
    const char* p = line.c_str() + at + key.size() + 3;
    if (*p < '0' || *p > '9') return std::nullopt;
    return std::strtoull(p, nullptr, 10);
}
}  // namespace

std::uint64_t droppedFromStats(const std::string& text) {
    std::map<std::string, std::uint64_t> last;  // the counters are cumulative: keep the last
    std::stringstream in(text);
    for (std::string line; std::getline(in, line);) {
        const auto at = line.find("\"interface\":\"");
        if (line.empty() || line[0] != '{' || at == std::string::npos) continue;
        const auto name = line.substr(at + 13, line.find('"', at + 13) - at - 13);
        last[name] =
            jsonNumber(line, "dropped").value_or(0) + jsonNumber(line, "if_dropped").value_or(0);
    }
    std::uint64_t sum = 0;
    for (const auto& [name, n] : last) sum += n;
    return sum;
}

std::string helperMessages(const std::string& text) {
    std::string out;
    std::stringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '{') out += line + "\n";
    return out;
}

}  // namespace sipscope::cli
