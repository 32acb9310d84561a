// pactum: one binary, HTTP service and CLI (see cli.h).
#include "cli.h"

int main(int argc, char** argv) { return pactum::service::RunCli(argc, argv); }
