// pactum: one binary, HTTP service and CLI (see cli.h; the commands that
// need libraries run in modules loaded on demand, cli/module.h).
#include "cli.h"

int main(int argc, char** argv) { return pactum::service::RunCli(argc, argv); }
