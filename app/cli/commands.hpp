#pragma once
// sipscope-cli subcommands (CLI.md). Each returns the process exit code:
// 0 success, 1 input read but invalid / damaged, 2 usage or I/O error.

#include <string_view>
#include <vector>

namespace sipscope::cli {

using Args = std::vector<std::string_view>;

int cmdParse(const Args& args);
int cmdMessages(const Args& args);
int cmdInterfaces(const Args& args);
int cmdCapture(const Args& args);
int cmdCalls(const Args& args);
int cmdTransactions(const Args& args);
int cmdStats(const Args& args);
int cmdEvents(const Args& args);
int cmdImport(const Args& args);
int cmdLadder(const Args& args);
int cmdExportPcap(const Args& args);
int cmdStreams(const Args& args);
int cmdAudio(const Args& args);
int cmdCall(const Args& args);
int cmdOptions(const Args& args);
int cmdRegister(const Args& args);
int cmdListen(const Args& args);
int cmdMessage(const Args& args);

}  // namespace sipscope::cli
