//===- main.cpp - trace-optimize: improve trainable code with an LLM -----===//
//
// Subcommands: summary, graph, prompt, step, run, undo, dump, report, export. See docs/optimizer.md.
//
//===----------------------------------------------------------------------===//
#include "patch/Apply.h"
#include "graph/Backward.h"
#include "common/Cli.h"
#include "report/Dot.h"
#include "report/Export.h"
#include "trace/JsonDump.h"
#include "llm/Llm.h"
#include "run/Loop.h"
#include "trace/MappedFile.h"
#include "common/Progress.h"
#include "report/Report.h"
#include "report/Summary.h"
#include "traceset/TraceSet.h"
#include "search/Runner.h"
#include "search/Search.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

using namespace traceopt;

namespace {

const char *const MainHelp =
    "usage: trace-optimize <command> [options]\n"
    "\n"
    "Improves the [[trace::trainable]] parameters of a C++ program with an LLM, from the\n"
    "execution traces the program records (TRACE_FILE=run.jsonl ./program).\n"
    "\n"
    "commands:\n"
    "  summary  what a trace holds: calls, edges, parameters, feedback\n"
    "  graph    draw the traces' graph (DOT, SVG, PNG), what feedback blames highlighted\n"
    "  prompt   print the prompt built from traces; calls no LLM\n"
    "  step     one optimization step: ask the LLM, check, patch the sources\n"
    "  run      loop: build, run, step, until the program succeeds or a budget runs out\n"
    "  search   several candidates per step, each built and run in its own copy of the tree\n"
    "  undo     restore the sources from before the last step\n"
    "  dump     write a trace as JSON Lines (docs/trace-format.md)\n"
    "  report   an HTML page of a run: scores, lineage, each step's diff, prompt and replies\n"
    "  export   write traces as a timeline for ui.perfetto.dev and chrome://tracing\n"
    "\n"
    "Run 'trace-optimize <command> --help' for a command's options.\n"
    "\n"
    "environment:\n"
    "  OPENAI_BASE_URL (or OPENAI_API_BASE)  OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1\n"
    "  OPENAI_API_KEY                        API key (sent only in the Authorization header)\n"
    "  TRACE_MODEL                           model name (or --model)\n";

const char *const EnvHelp =
    "environment:\n"
    "  OPENAI_BASE_URL / OPENAI_API_BASE   endpoint (default https://api.openai.com/v1 when a key is set)\n"
    "  OPENAI_API_KEY                      API key; not needed on 127.0.0.1/localhost\n"
    "  TRACE_MODEL                         model, when --model is not given\n"
    "With no endpoint configured, the prompt is printed and nothing is changed.\n";

void addPromptOptions(ArgParser &P) {
  P.option("--trace", "FILE", "trace file to read (repeatable; several runs form one problem)", true);
  P.option("--token-budget", "N", "approximate size limit of the prompt in tokens (default 12000)");
  P.option("--max-value-chars", "N", "cut values longer than this in the prompt (default 1000)");
}

void addLlmOptions(ArgParser &P) {
  P.option("--model", "NAME", "model to ask (default: $TRACE_MODEL)");
  P.option("--base-url", "URL", "endpoint (default: $OPENAI_BASE_URL or $OPENAI_API_BASE)");
  P.option("--replay", "FILE", "serve the replies recorded in a transcript instead of calling an endpoint");
  P.option("--transcript", "FILE", "append every exchange here (default: <work-dir>/transcript.jsonl)");
  P.option("--timeout", "SECONDS", "limit for one LLM request (default 300)");
  P.option("--connect-timeout", "SECONDS", "limit for connecting (default 10)");
  P.option("--retries", "N", "retries on connection errors, 408/409/429/5xx (default 2)");
  P.option("--backoff", "SECONDS", "first retry delay, doubling up to 8 s (default 0.5)");
  P.flag("--no-json-mode", "do not ask for response_format json_object");
  P.option("--repairs", "K", "times a rejected suggestion is sent back for repair (default 2)");
  P.option("--work-dir", "DIR", "backups, transcript and runs (default .trace-optimize)");
  P.option("-p", "DIR", "directory of a compile_commands.json used when a trace has no tu record");
}

bool parseCommon(const ArgParser &A, PromptOptions &PO, std::string &Error) {
  unsigned long long N = 0;
  if (A.has("--token-budget")) {
    if (!A.getUnsigned("--token-budget", N, Error))
      return false;
    PO.TokenBudget = size_t(N);
  }
  if (A.has("--max-value-chars")) {
    if (!A.getUnsigned("--max-value-chars", N, Error))
      return false;
    PO.MaxValueChars = size_t(N);
  }
  return true;
}

/// Builds the LLM backend from options and environment; nullptr with Configured=false when
/// none is configured. Returns false on bad options.
bool makeBackend(const ArgParser &A, const std::string &WorkDir, std::unique_ptr<LlmBackend> &Backend,
                 std::string &Error) {
  if (A.has("--replay")) {
    Backend = makeReplayBackend(A.get("--replay"), Error);
    return Backend != nullptr;
  }
  LlmConfig C;
  C.BaseUrl = A.get("--base-url");
  C.Model = A.get("--model");
  if (!configureFromEnvironment(C))
    return true;
  if (!A.getDouble("--timeout", C.RequestTimeout, Error, 0.001, 86400) ||
      !A.getDouble("--connect-timeout", C.ConnectTimeout, Error, 0.001, 3600) ||
      !A.getDouble("--backoff", C.BackoffInitial, Error, 0, 60))
    return false;
  unsigned long long Retries = C.MaxRetries;
  if (!A.getUnsigned("--retries", Retries, Error))
    return false;
  C.MaxRetries = unsigned(std::min(Retries, 100ull));
  C.JsonMode = !A.has("--no-json-mode");
  if (C.Model.empty()) {
    Error = A.command() + ": no model given: pass --model NAME or set TRACE_MODEL (endpoint " + C.BaseUrl + ")";
    return false;
  }
  if (C.BaseUrl.rfind("http://", 0) != 0 && C.BaseUrl.rfind("https://", 0) != 0) {
    Error = A.command() + ": the endpoint '" + C.BaseUrl + "' is not an http:// or https:// URL";
    return false;
  }
  if (C.ApiKey.empty() && !isLoopbackUrl(C.BaseUrl))
    std::cerr << "trace-optimize: warning: OPENAI_API_KEY is not set; " << C.BaseUrl
              << " will probably refuse the request\n";
  std::string Err;
  if (!makeDirs(WorkDir, Err)) {
    Error = Err;
    return false;
  }
  C.TranscriptPath = A.get("--transcript", WorkDir + "/transcript.jsonl");
  Backend = makeHttpBackend(std::move(C), [](unsigned Attempt, double Delay, const std::string &Why) {
    std::cerr << fmt::format("trace-optimize: {}; retry {} in {:.1f} s\n", Why, Attempt, Delay);
  });
  return true;
}

int fail(const std::string &Message, int Code = 1) {
  std::cerr << "trace-optimize: error: " << Message << "\n";
  return Code;
}

std::optional<TraceSet> loadOrFail(const ArgParser &A, int &Rc) {
  std::vector<std::string> Traces = A.all("--trace");
  for (const std::string &P : A.positional())
    Traces.push_back(P);
  if (Traces.empty()) {
    Rc = fail(A.command() + ": no trace file given: pass --trace FILE (see '" + A.command() + " --help')", 2);
    return std::nullopt;
  }
  std::string Error;
  std::optional<TraceSet> T = loadTraces(Traces, Error);
  if (!T) {
    Rc = fail(Error);
    return std::nullopt;
  }
  for (const std::string &W : T->Warnings)
    std::cerr << "trace-optimize: warning: " << W << "\n";
  return T;
}

/// Parses \p Args into \p A; returns the exit status when the command is
/// already done (a usage error, or --help printed), nullopt to go on.
std::optional<int> parseOrHelp(ArgParser &A, const std::vector<std::string> &Args) {
  std::string Error;
  if (!A.parse(Args, Error))
    return fail(Error, 2);
  if (A.helpRequested()) {
    std::cout << A.help();
    return 0;
  }
  return std::nullopt;
}

int cmdSummary(const std::vector<std::string> &Args) {
  ArgParser A("trace-optimize summary", "trace-optimize summary --trace FILE...",
              "Prints what the traces hold: calls per function, data-flow edges, exceptions, the trainable\n"
              "parameters, the feedback, and which parameters the feedback reaches. Changes nothing.");
  A.option("--trace", "FILE", "trace file to read (repeatable; several runs form one problem)", true);
  if (std::optional<int> Done = parseOrHelp(A, Args))
    return *Done;
  int Rc = 0;
  std::optional<TraceSet> T = loadOrFail(A, Rc);
  if (!T)
    return Rc;
  std::cout << summarize(*T, backward(*T));
  return 0;
}

int cmdGraph(const std::vector<std::string> &Args) {
  ArgParser A("trace-optimize graph", "trace-optimize graph --trace FILE... [--format dot|svg|png] [-o OUT]",
              "Draws the graph of the traces: calls (function, arguments, result or exception), trainable\n"
              "parameters and feedback; data flow, caller-to-call and parameter reads as edges. The calls on a\n"
              "path from a parameter to feedback (what the backward pass selects for it) are drawn in that\n"
              "parameter's colour. Calls of one function in a row are folded into one node with their count;\n"
              "at most --max-nodes call nodes are drawn. SVG and PNG are made by Graphviz's 'dot' program.");
  A.option("--trace", "FILE", "trace file to read (repeatable; several runs form one problem)", true);
  A.option("--format", "FMT", "dot (default; DOT text), svg or png (both need Graphviz's 'dot')");
  A.option("--output", "OUT", "write here instead of to standard output", false, "-o");
  A.option("--max-nodes", "N", "call nodes drawn at most, after folding (default 100)");
  A.option("--max-value-chars", "N", "cut values longer than this in labels (default 24)");
  if (std::optional<int> Done = parseOrHelp(A, Args))
    return *Done;
  std::string Format = A.get("--format", "dot");
  if (Format != "dot" && Format != "svg" && Format != "png")
    return fail("trace-optimize graph: --format expects dot, svg or png, got '" + Format + "'", 2);
  DotOptions DO;
  std::string Error;
  unsigned long long N = DO.MaxNodes;
  if (!A.getUnsigned("--max-nodes", N, Error))
    return fail(Error, 2);
  if (N == 0)
    return fail("trace-optimize graph: --max-nodes must be at least 1", 2);
  DO.MaxNodes = size_t(N);
  N = DO.MaxValueChars;
  if (!A.getUnsigned("--max-value-chars", N, Error))
    return fail(Error, 2);
  DO.MaxValueChars = size_t(std::max(N, 1ull));
  // Say that dot is missing before reading what may be a large trace.
  if (Format != "dot")
    if (std::string Missing = graphvizMissing(Format); !Missing.empty())
      return fail("trace-optimize graph: " + Missing);
  int Rc = 0;
  std::optional<TraceSet> T = loadOrFail(A, Rc);
  if (!T)
    return Rc;
  Graph G = buildGraph(*T);
  std::string Dot = renderDot(*T, G, backward(*T, G), DO);
  std::string OutPath = A.get("--output");
  if (Format != "dot") {
    if (!runGraphviz(Dot, Format, OutPath, Error))
      return fail("trace-optimize graph: " + Error);
    return 0;
  }
  if (OutPath.empty() || OutPath == "-") {
    std::cout << Dot;
    std::cout.flush();
    return std::cout ? 0 : fail("cannot write standard output");
  }
  std::FILE *Out = std::fopen(OutPath.c_str(), "wb");
  if (!Out)
    return fail(fmt::format("cannot create '{}': {}", OutPath, std::strerror(errno)));
  bool Ok = std::fwrite(Dot.data(), 1, Dot.size(), Out) == Dot.size();
  Ok = std::fclose(Out) == 0 && Ok;
  if (!Ok)
    return fail(fmt::format("cannot write '{}': {}", OutPath, std::strerror(errno)));
  return 0;
}

int cmdPrompt(const std::vector<std::string> &Args) {
  ArgParser A("trace-optimize prompt", "trace-optimize prompt --trace FILE... [options]",
              "Prints the prompt (system message, a blank line, user message) that 'step' would send.\n"
              "Calls no LLM and changes nothing.");
  addPromptOptions(A);
  std::string Error;
  if (std::optional<int> Done = parseOrHelp(A, Args))
    return *Done;
  PromptOptions PO;
  if (!parseCommon(A, PO, Error))
    return fail(Error, 2);
  int Rc = 0;
  std::optional<TraceSet> T = loadOrFail(A, Rc);
  if (!T)
    return Rc;
  GraphPass Pass = backwardPass(*T);
  if (Pass.Sub.Params.empty())
    std::cerr << "trace-optimize: warning: no trainable parameter is connected to feedback\n";
  Prompt P = buildPrompt(*T, Pass, PO);
  std::cout << P.System << "\n\n" << P.User << "\n";
  return 0;
}

bool parseStepOptions(const ArgParser &A, StepOptions &SO, std::string &Error) {
  if (!parseCommon(A, SO.Prompt, Error))
    return false;
  unsigned long long N = SO.Repairs;
  if (!A.getUnsigned("--repairs", N, Error))
    return false;
  SO.Repairs = unsigned(std::min(N, 100ull));
  SO.DryRun = A.has("--dry-run");
  SO.WorkDir = A.get("--work-dir", ".trace-optimize");
  SO.CompileCommandsDir = A.get("-p");
  return true;
}

int cmdStep(const std::vector<std::string> &Args) {
  ArgParser A("trace-optimize step", "trace-optimize step --trace FILE... [--dry-run] [options]",
              "One optimization step: builds the prompt from the traces, asks the LLM, checks each suggestion\n"
              "(the recorded source range is unchanged, a function keeps its name and signature, the patched\n"
              "file compiles; rejected suggestions go back to the LLM up to --repairs times) and patches the\n"
              "sources atomically, keeping a backup for 'undo'. With --dry-run, prints the diff instead.");
  addPromptOptions(A);
  addLlmOptions(A);
  A.flag("--dry-run", "print the unified diff and write nothing");
  A.option("--max-tokens", "N", "send no further request (repairs included) once the LLM calls used this many tokens");
  A.option("--memory", "N",
           "show the (variables, feedback) pairs of the last N steps applied in the work directory (default 0)");
  A.epilog(EnvHelp);
  std::string Error;
  if (std::optional<int> Done = parseOrHelp(A, Args))
    return *Done;
  StepOptions SO;
  if (!parseStepOptions(A, SO, Error))
    return fail(Error, 2);
  unsigned long long MaxTokens = 0;
  if (!A.getUnsigned("--max-tokens", MaxTokens, Error))
    return fail(Error, 2);
  SO.MaxTokens = MaxTokens;
  unsigned long long MemorySize = 0;
  if (!A.getUnsigned("--memory", MemorySize, Error))
    return fail(Error, 2);
  SO.Prompt.MemorySize = unsigned(std::min(MemorySize, 1000ull));
  int Rc = 0;
  std::optional<TraceSet> T = loadOrFail(A, Rc);
  if (!T)
    return Rc;
  // The memory file is read before any request, so a damaged one costs nothing.
  std::optional<Memory> Mem;
  if (SO.Prompt.MemorySize) {
    Mem = loadMemory(SO.WorkDir, Error);
    if (!Mem)
      return fail(Error);
  }
  std::unique_ptr<LlmBackend> Backend;
  if (!makeBackend(A, SO.WorkDir, Backend, Error))
    return fail(Error, 2);
  StepResult R = optimizeStep(*T, SO, Backend.get(), Mem ? &*Mem : nullptr, nullptr, std::cout, std::cerr);
  switch (R.Status) {
  case StepStatus::Applied:
    std::cerr << fmt::format("trace-optimize: applied step {} ({} LLM call{}, {} tokens); undo with "
                             "'trace-optimize undo'\n",
                             R.Step, R.LlmCalls, R.LlmCalls == 1 ? "" : "s", R.Tokens);
    return 0;
  case StepStatus::DryRun:
  case StepStatus::NoLlm:
    return 0;
  case StepStatus::NoChange:
    std::cerr << "trace-optimize: the LLM suggested no change\n";
    return 0;
  case StepStatus::NothingToOptimize:
  case StepStatus::OutOfTokens:
  case StepStatus::Failed:
    return fail(R.Error);
  }
  return 1;
}

int cmdRun(const std::vector<std::string> &Args) {
  ArgParser A("trace-optimize run", "trace-optimize run --run CMD [--build CMD] [--iterations N] [options]",
              "The optimization loop. Each iteration builds (--build), runs (--run, with TRACE_FILE set to a\n"
              "file in the work directory), reads the trace's feedback, and takes one step. Stops when the\n"
              "program reports success (trace::success), the score reaches --target, or --iterations or\n"
              "--max-tokens runs out; then restores the best-scoring version. A patch that breaks the build\n"
              "goes back to the LLM for repair, and is rolled back if it cannot be repaired.\n"
              "Exit status: 0 goal reached, 3 stopped without reaching it, 1 error.");
  A.option("--build", "CMD", "shell command that builds the program (run after every patch)");
  A.option("--run", "CMD", "shell command that runs the program and writes $TRACE_FILE");
  A.option("--iterations", "N", "maximum number of optimization steps (default 5)");
  A.option("--target", "SCORE", "stop when the mean feedback score reaches SCORE");
  A.option("--max-tokens", "N", "stop when the LLM calls used this many tokens (checked before every request)");
  A.flag("--feedback-from-run",
         "when the program gives no feedback, use the run's exit status and output (0 = success)");
  A.option("--command-timeout", "SECONDS", "limit for each build and run command (default 600)");
  A.option("--memory", "N", "show the last N (variables, feedback) pairs in the prompt (default 0)");
  A.flag("--quiet", "no progress: neither the status line (on a terminal) nor the per-iteration lines", "-q");
  addPromptOptions(A);
  addLlmOptions(A);
  A.epilog(EnvHelp);
  std::string Error;
  if (std::optional<int> Done = parseOrHelp(A, Args))
    return *Done;
  LoopOptions LO;
  if (!parseStepOptions(A, LO.Step, Error))
    return fail(Error, 2);
  if (A.has("--dry-run"))
    return fail("trace-optimize run: --dry-run is not supported by the loop; use 'step --dry-run'", 2);
  LO.BuildCmd = A.get("--build");
  LO.RunCmd = A.get("--run");
  if (LO.RunCmd.empty())
    return fail("trace-optimize run: --run CMD is required (see 'trace-optimize run --help')", 2);
  unsigned long long N = LO.Iterations;
  if (!A.getUnsigned("--iterations", N, Error))
    return fail(Error, 2);
  LO.Iterations = unsigned(std::min(N, 100000ull));
  unsigned long long MaxTokens = 0;
  if (!A.getUnsigned("--max-tokens", MaxTokens, Error))
    return fail(Error, 2);
  LO.MaxTokens = MaxTokens;
  if (A.has("--target")) {
    double Target = 0;
    if (!A.getDouble("--target", Target, Error, -1e300, 1e300))
      return fail(Error, 2);
    LO.Target = Target;
  }
  if (!A.getDouble("--command-timeout", LO.CommandTimeout, Error, 0.001, 1e7))
    return fail(Error, 2);
  unsigned long long Mem = 0;
  if (!A.getUnsigned("--memory", Mem, Error))
    return fail(Error, 2);
  LO.MemorySize = unsigned(std::min(Mem, 1000ull));
  LO.Step.Prompt.MemorySize = LO.MemorySize;
  LO.FeedbackFromRun = A.has("--feedback-from-run");
  LO.Quiet = A.has("--quiet");
  LO.LiveStatus = stderrIsLiveTerminal();
  std::unique_ptr<LlmBackend> Backend;
  if (!makeBackend(A, LO.Step.WorkDir, Backend, Error))
    return fail(Error, 2);
  return runLoop(LO, Backend.get(), std::cout, std::cerr);
}

int cmdSearch(const std::vector<std::string> &Args) {
  ArgParser A("trace-optimize search",
              "trace-optimize search --run CMD [--build CMD] [--strategy best-of-k|beam|evolve] [options]",
              "Searches instead of climbing one step at a time: asks the LLM for several candidates per step,\n"
              "checks each as 'step' does, builds and runs each in its own copy of the project directory (never\n"
              "in your sources), up to --jobs at a time, here or on a cluster (--executor), and scores it from\n"
              "its trace. Every candidate goes into <work-dir>/search.db; --resume continues a search that was\n"
              "interrupted. At the end the best candidate is applied to the sources (hash-checked, undoable\n"
              "with 'trace-optimize undo').\n"
              "Exit status: 0 goal reached (success or --target), 3 stopped without reaching it, 1 error.");
  A.option("--strategy", "NAME",
           "best-of-k (default): K candidates from the best so far per step; beam: the best\n"
           "                            --width of each generation, --depth generations; evolve: islands,\n"
           "                            parents by score and diversity, earlier programs in the prompt");
  A.option("-k", "K", "candidates asked for per parent and step (default 4)");
  A.option("--iterations", "N", "steps (best-of-k, evolve) or generations (default 5)");
  A.option("--width", "W", "beam: parents kept per generation (default 2)");
  A.option("--depth", "D", "beam: generations (default: --iterations)");
  A.option("--islands", "N", "evolve: islands (default 2)");
  A.option("--migration-interval", "N", "evolve: each island's best joins the next every N generations (default 3)");
  A.option("--inspirations", "N",
           "evolve: best earlier programs shown in a prompt, plus the most different one (default 2)");
  A.option("--temperature", "LOW[,HIGH]",
           "temperature of the first request, and of the last one-answer request (default 0.4,1.0)");
  A.option("--project", "DIR", "the directory copied for each candidate (default: the current directory)");
  A.option("--exclude", "DIR", "leave DIR out of the copies (repeatable; the work directory always is)", true);
  A.option("--build", "CMD", "shell command that builds the program, run in the candidate's copy");
  A.option("--quick", "CMD", "a cheaper run first (a subset of the cases); see --quick-threshold");
  A.option("--quick-threshold", "SCORE", "drop a candidate whose quick run scores below SCORE (default 0)");
  A.option("--run", "CMD", "shell command that runs the program and writes $TRACE_FILE, run in the copy");
  A.option("--target", "SCORE", "stop when a candidate's mean feedback score reaches SCORE");
  A.flag("--feedback-from-run", "when the program gives no feedback, use the run's exit status (0 = success)");
  A.option("--jobs", "N", "evaluations at a time (default 1): worker threads, runner commands or array tasks", false,
           "-j");
  A.option("--executor", "NAME",
           "where evaluations run: local (default), this machine; slurm, one sbatch job array per\n"
           "                            round; runner, the --runner command line per evaluation");
  A.option("--runner", "TEMPLATE",
           "command line run per evaluation, with placeholders (below); implies --executor runner");
  A.option("--slurm-arg", "ARG", "pass ARG to sbatch, e.g. --slurm-arg=--partition=short (repeatable)", true);
  A.option("--shared-dir", "DIR",
           "where the candidates' copies go, at the same path where the evaluations run (default:\n"
           "                            the work directory)");
  A.option("--eval-timeout", "SECONDS", "limit for each build and run command of a candidate (default 600)");
  A.option("--memory-limit", "MB", "address-space limit of each build and run command (default none)");
  A.option("--max-tokens", "N", "send no request once the LLM calls used this many tokens");
  A.option("--max-cost", "USD", "send no request once the LLM calls cost this much (see --price)");
  A.option("--max-evaluations", "N", "evaluate at most N candidates, the sources as they are included");
  A.option("--price", "IN,OUT",
           "US dollars per million prompt and completion tokens (default: the model's list price, if known)");
  A.option("--seed", "N", "seed of the random choices (default: random; printed and kept in the database)");
  A.flag("--resume", "continue the search recorded in <work-dir>/search.db");
  A.flag("--dry-run", "print the best candidate's diff instead of applying it");
  A.flag("--quiet", "no progress lines", "-q");
  addPromptOptions(A);
  addLlmOptions(A);
  A.epilog(std::string("runner placeholders (quoted for where they stand, also inside '...' and \"...\"):\n") +
           search::runnerPlaceholderHelp() +
           "\nexamples:\n"
           "  trace-optimize search --strategy evolve -k 4 --jobs 2 --exclude build \\\n"
           "      --build 'cmake -S . -B build && cmake --build build' --run 'build/app'\n"
           "  trace-optimize search --executor slurm --jobs 8 --shared-dir /nfs/me/search \\\n"
           "      --slurm-arg=--partition=short --build make --run ./app\n"
           "  trace-optimize search --jobs 4 --runner \"ssh node1 'cd {dir} && {build} && {run}'\" \\\n"
           "      --shared-dir /nfs/me/search --build make --run ./app\n\n" +
           EnvHelp);
  std::string Error;
  if (std::optional<int> Done = parseOrHelp(A, Args))
    return *Done;
  search::SearchOptions SO;
  if (!parseStepOptions(A, SO.Step, Error))
    return fail(Error, 2);
  SO.DryRun = SO.Step.DryRun;
  SO.Step.DryRun = false;
  if (std::optional<search::Strategy> S = search::parseStrategy(A.get("--strategy", "best-of-k")))
    SO.Strat = *S;
  else
    return fail(
        "trace-optimize search: --strategy expects best-of-k, beam or evolve, got '" + A.get("--strategy") + "'", 2);
  SO.RunCmd = A.get("--run");
  if (SO.RunCmd.empty())
    return fail("trace-optimize search: --run CMD is required (see 'trace-optimize search --help')", 2);
  SO.BuildCmd = A.get("--build");
  SO.QuickCmd = A.get("--quick");
  SO.ProjectDir = A.get("--project", ".");
  for (const std::string &E : A.all("--exclude"))
    SO.Excluded.push_back(std::filesystem::absolute(SO.ProjectDir + "/" + E).lexically_normal().string());
  auto Count = [&](const char *Name, unsigned &Into, unsigned long long Min, unsigned long long Max) {
    unsigned long long N = Into;
    if (!A.getUnsigned(Name, N, Error))
      return false;
    if (N < Min || N > Max) {
      Error = fmt::format("trace-optimize search: {} expects a number from {} to {}, got {}", Name, Min, Max, N);
      return false;
    }
    Into = unsigned(N);
    return true;
  };
  SO.Jobs = 1;
  unsigned MaxEval = 0, MemoryMb = 0;
  if (!Count("-k", SO.K, 1, 64) || !Count("--iterations", SO.Iterations, 1, 100000) ||
      !Count("--width", SO.Width, 1, 64) || !Count("--islands", SO.Islands, 1, 64) ||
      !Count("--migration-interval", SO.MigrationInterval, 0, 100000) ||
      !Count("--inspirations", SO.Inspirations, 0, 16) || !Count("--jobs", SO.Jobs, 1, 256) ||
      !Count("--max-evaluations", MaxEval, 0, 1000000) || !Count("--memory-limit", MemoryMb, 0, 1u << 30) ||
      !Count("--repairs", SO.Step.Repairs, 0, 100))
    return fail(Error, 2);
  if (A.has("--depth") && !Count("--depth", SO.Iterations, 1, 100000))
    return fail(Error, 2);
  SO.MaxEvaluations = MaxEval;
  SO.MemoryBytes = uint64_t(MemoryMb) << 20;
  unsigned long long MaxTokens = 0;
  if (!A.getUnsigned("--max-tokens", MaxTokens, Error) || !A.getDouble("--max-cost", SO.MaxCost, Error, 0, 1e9) ||
      !A.getDouble("--eval-timeout", SO.EvalTimeout, Error, 0.001, 1e7))
    return fail(Error, 2);
  SO.MaxTokens = MaxTokens;
  if (A.has("--target")) {
    double Target = 0;
    if (!A.getDouble("--target", Target, Error, -1e300, 1e300))
      return fail(Error, 2);
    SO.Target = Target;
  }
  if (A.has("--quick")) {
    double Threshold = 0;
    if (!A.getDouble("--quick-threshold", Threshold, Error, -1e300, 1e300))
      return fail(Error, 2);
    SO.QuickThreshold = Threshold;
  } else if (A.has("--quick-threshold")) {
    return fail("trace-optimize search: --quick-threshold needs --quick CMD", 2);
  }
  // "LOW[,HIGH]" and "IN,OUT": two numbers, the second optional for the temperature.
  auto Pair = [&](const char *Name, double &First, double &Second, bool SecondOptional) {
    if (!A.has(Name))
      return true;
    std::string V = A.get(Name);
    char *End = nullptr;
    First = std::strtod(V.c_str(), &End);
    if (End != V.c_str() && *End == '\0' && SecondOptional) {
      Second = std::max(Second, First);
      return First >= 0;
    }
    if (End == V.c_str() || *End != ',')
      return false;
    const char *Rest = End + 1;
    Second = std::strtod(Rest, &End);
    return End != Rest && *End == '\0' && First >= 0 && Second >= 0;
  };
  if (!Pair("--temperature", SO.TemperatureLow, SO.TemperatureHigh, true))
    return fail("trace-optimize search: --temperature expects LOW or LOW,HIGH (non-negative numbers), got '" +
                    A.get("--temperature") + "'",
                2);
  search::Price P;
  if (!Pair("--price", P.Prompt, P.Completion, false))
    return fail("trace-optimize search: --price expects IN,OUT in US dollars per million tokens, got '" +
                    A.get("--price") + "'",
                2);
  if (A.has("--price"))
    SO.PriceOverride = P;
  if (A.has("--seed")) {
    unsigned long long Seed = 0;
    if (!A.getUnsigned("--seed", Seed, Error))
      return fail(Error, 2);
    SO.Seed = Seed;
  }
  // --executor names the place; --runner alone is enough for the runner.
  std::string ExecName = A.get("--executor", A.has("--runner") ? "runner" : "local");
  if (std::optional<search::ExecutorKind> K = search::parseExecutor(ExecName))
    SO.Exec = *K;
  else
    return fail("trace-optimize search: --executor expects local, slurm or runner, got '" + ExecName + "'", 2);
  SO.RunnerTemplate = A.get("--runner");
  if (SO.Exec == search::ExecutorKind::Runner) {
    if (SO.RunnerTemplate.empty())
      return fail("trace-optimize search: --executor runner needs --runner TEMPLATE (see 'trace-optimize search "
                  "--help')",
                  2);
    if (!search::checkRunnerTemplate(SO.RunnerTemplate, Error))
      return fail("trace-optimize search: --runner: " + Error, 2);
  } else if (A.has("--runner")) {
    return fail("trace-optimize search: --runner needs --executor runner, not " + ExecName, 2);
  }
  SO.SlurmArgs = A.all("--slurm-arg");
  if (!SO.SlurmArgs.empty() && SO.Exec != search::ExecutorKind::Slurm)
    return fail("trace-optimize search: --slurm-arg needs --executor slurm", 2);
  SO.SharedDir = A.get("--shared-dir");
  SO.Resume = A.has("--resume");
  SO.Quiet = A.has("--quiet");
  SO.FeedbackFromRun = A.has("--feedback-from-run");
  SO.Model = A.get("--model", std::getenv("TRACE_MODEL") ? std::getenv("TRACE_MODEL") : "");
  if (SO.MaxCost > 0 && !SO.PriceOverride && !search::knownPrice(SO.Model))
    return fail("trace-optimize search: --max-cost needs a price: the model '" + SO.Model +
                    "' is not in the built-in table; pass --price IN,OUT",
                2);
  std::unique_ptr<LlmBackend> Backend;
  if (!makeBackend(A, SO.Step.WorkDir, Backend, Error))
    return fail(Error, 2);
  if (!Backend) {
    // Unlike `step`, there is no prompt to show before the sources have been built and run.
    std::string Hint = configurationHint();
    return fail("trace-optimize search: no LLM endpoint is configured.\n" + Hint.substr(Hint.find('\n') + 1));
  }
  return search::runSearch(SO, Backend.get(), std::cout, std::cerr);
}

int cmdUndo(const std::vector<std::string> &Args) {
  ArgParser A("trace-optimize undo", "trace-optimize undo [--dry-run] [--force] [--work-dir DIR]",
              "Restores the sources from before the last applied step (repeat to go further back). Refuses\n"
              "when a patched file changed since the step, unless --force.");
  A.flag("--dry-run", "print what would be restored, as a diff, and write nothing");
  A.flag("--force", "restore even files that changed after the step");
  A.option("--work-dir", "DIR", "where the backups are (default .trace-optimize)");
  std::string Error;
  if (std::optional<int> Done = parseOrHelp(A, Args))
    return *Done;
  if (!A.positional().empty())
    return fail("trace-optimize undo: unexpected argument '" + A.positional().front() + "'", 2);
  BackupStore Store(A.get("--work-dir", ".trace-optimize"));
  std::string Report;
  if (!Store.undo(A.has("--force"), A.has("--dry-run"), Report, Error))
    return fail(Error);
  std::cout << Report;
  return 0;
}

int cmdDump(const std::vector<std::string> &Args) {
  ArgParser A("trace-optimize dump", "trace-optimize dump FILE [-o OUT]",
              "Writes the records of a binary trace as JSON Lines, the export format of\n"
              "docs/trace-format.md. A file that is JSON Lines already is copied unchanged, so scripts\n"
              "can dump any trace. A trace cut short is written up to its last complete record.");
  A.option("--output", "OUT", "write here instead of to standard output", false, "-o");
  if (std::optional<int> Done = parseOrHelp(A, Args))
    return *Done;
  if (A.positional().size() != 1)
    return fail(A.positional().empty() ? "trace-optimize dump: no trace file given (see 'trace-optimize dump --help')"
                                       : "trace-optimize dump: one trace file at a time (see 'trace-optimize dump "
                                         "--help')",
                2);
  const std::string &Path = A.positional().front();
  std::string Error;
  MappedFile In;
  if (!In.open(Path, Error))
    return fail(Error);
  std::string OutPath = A.get("--output");
  std::FILE *Out = stdout;
  if (!OutPath.empty() && OutPath != "-") {
    Out = std::fopen(OutPath.c_str(), "wb");
    if (!Out)
      return fail(fmt::format("cannot create '{}': {}", OutPath, std::strerror(errno)));
  }
  DumpWriter Write = [Out](std::string_view S) { return std::fwrite(S.data(), 1, S.size(), Out) == S.size(); };
  std::vector<std::string> Warnings;
  bool Ok = dumpTrace(In.bytes(), Path, Write, Warnings, Error);
  // A full disk shows at the flush or close, not at the write.
  bool Closed = Out == stdout ? std::fflush(Out) == 0 : std::fclose(Out) == 0;
  for (const std::string &W : Warnings)
    std::cerr << "trace-optimize: warning: " << W << "\n";
  if (!Ok)
    return fail(Error);
  if (!Closed)
    return fail(fmt::format("cannot write '{}': {}", OutPath.empty() ? "standard output" : OutPath,
                            std::strerror(errno)));
  return 0;
}

int cmdReport(const std::vector<std::string> &Args) {
  ArgParser A("trace-optimize report", "trace-optimize report [WORK_DIR] [-o report.html] [--price IN,OUT]",
              "Writes one self-contained HTML page (no network, no external file) of what 'run' did in a work\n"
              "directory (default .trace-optimize), from its history.jsonl: a summary (candidates, best score,\n"
              "tokens, cost), the score of every candidate as a plot, their lineage, every step (its diff, prompt,\n"
              "requests and replies, tokens and the outcome of the checks) and the text of the best candidate.");
  A.option("--output", "OUT", "write here (default: standard output)", false, "-o");
  A.option("--price", "IN,OUT", "cost per million prompt and completion tokens, e.g. 0.15,0.6 (default: no cost)");
  if (std::optional<int> Done = parseOrHelp(A, Args))
    return *Done;
  if (A.positional().size() > 1)
    return fail("trace-optimize report: one work directory at a time (see 'trace-optimize report --help')", 2);
  std::string WorkDir = A.positional().empty() ? ".trace-optimize" : A.positional().front();
  ReportOptions RO;
  RO.Title = WorkDir;
  if (A.has("--price")) {
    std::string Price = A.get("--price");
    size_t Comma = Price.find(',');
    char *End = nullptr;
    double In = std::strtod(Price.c_str(), &End);
    bool Ok = Comma != std::string::npos && End == Price.c_str() + Comma && std::isfinite(In) && In >= 0;
    double Out = Ok ? std::strtod(Price.c_str() + Comma + 1, &End) : 0;
    if (!Ok || Comma + 1 == Price.size() || *End || !std::isfinite(Out) || Out < 0)
      return fail("trace-optimize report: --price expects two non-negative numbers IN,OUT (per million prompt and "
                  "completion tokens), got '" +
                      Price + "'",
                  2);
    RO.PricePrompt = In;
    RO.PriceCompletion = Out;
  }
  std::string Error;
  std::optional<History> H = readHistory(WorkDir, Error);
  if (!H)
    return fail("trace-optimize report: " + Error);
  std::string Html = renderReport(*H, RO);
  std::string OutPath = A.get("--output");
  if (OutPath.empty() || OutPath == "-") {
    std::cout << Html;
    std::cout.flush();
    return std::cout ? 0 : fail("cannot write standard output");
  }
  if (!writeFileAtomic(OutPath, Html, Error, 0644))
    return fail("trace-optimize report: " + Error);
  return 0;
}

int cmdExport(const std::vector<std::string> &Args) {
  ArgParser A("trace-optimize export", "trace-optimize export --format perfetto [-o OUT] --trace FILE...",
              "Writes traces as a timeline in the Chrome JSON trace-event format, which ui.perfetto.dev and\n"
              "chrome://tracing open: a process per trace, a track per thread, a slice per call (its arguments,\n"
              "result or exception as args), an arrow from the call that produced a value to each call that\n"
              "received it, and an instant event per feedback (its text and score). The traces need call\n"
              "times: record them with TRACE_TIMESTAMPS=1. The output is written as the traces are read.");
  A.option("--trace", "FILE", "binary trace to read (repeatable; each becomes a process)", true);
  A.option("--format", "FMT", "perfetto (the Chrome JSON trace-event format; the only one)");
  A.option("--output", "OUT", "write here instead of to standard output", false, "-o");
  A.epilog("example:\n"
           "  TRACE_TIMESTAMPS=1 TRACE_FILE=run.bin ./program\n"
           "  trace-optimize export --format perfetto --trace run.bin -o run.json   # open in ui.perfetto.dev\n");
  if (std::optional<int> Done = parseOrHelp(A, Args))
    return *Done;
  std::string Format = A.get("--format", "perfetto");
  if (Format != "perfetto")
    return fail("trace-optimize export: --format expects perfetto, got '" + Format + "'", 2);
  std::vector<std::string> Paths = A.all("--trace");
  for (const std::string &P : A.positional())
    Paths.push_back(P);
  if (Paths.empty())
    return fail("trace-optimize export: no trace given (--trace FILE; see 'trace-optimize export --help')", 2);
  std::string OutPath = A.get("--output");
  std::FILE *Out = stdout;
  if (!OutPath.empty() && OutPath != "-") {
    Out = std::fopen(OutPath.c_str(), "wb");
    if (!Out)
      return fail(fmt::format("cannot create '{}': {}", OutPath, std::strerror(errno)));
  }
  DumpWriter Write = [Out](std::string_view S) { return std::fwrite(S.data(), 1, S.size(), Out) == S.size(); };
  std::vector<std::string> Warnings;
  std::string Error;
  bool Ok = exportTimeline(Paths, Write, Warnings, Error);
  bool Closed = Out == stdout ? std::fflush(Out) == 0 : std::fclose(Out) == 0;
  for (const std::string &W : Warnings)
    std::cerr << "trace-optimize: warning: " << W << "\n";
  if (!Ok) {
    // Half a timeline is no use: nothing is left behind.
    if (Out != stdout)
      std::remove(OutPath.c_str());
    return fail("trace-optimize export: " + Error);
  }
  if (!Closed)
    return fail(
        fmt::format("cannot write '{}': {}", OutPath.empty() ? "standard output" : OutPath, std::strerror(errno)));
  return 0;
}

} // namespace

int main(int Argc, char **Argv) {
  std::vector<std::string> Args(Argv + 1, Argv + Argc);
  if (Args.empty()) {
    std::cerr << MainHelp;
    return 2;
  }
  std::string Cmd = Args.front();
  Args.erase(Args.begin());
  if (Cmd == "--help" || Cmd == "-h" || Cmd == "help") {
    std::cout << MainHelp;
    return 0;
  }
  if (Cmd == "--version") {
    std::cout << "trace-optimize 0.1.0\n";
    return 0;
  }
  if (Cmd == "summary")
    return cmdSummary(Args);
  if (Cmd == "graph")
    return cmdGraph(Args);
  if (Cmd == "prompt")
    return cmdPrompt(Args);
  if (Cmd == "step")
    return cmdStep(Args);
  if (Cmd == "run")
    return cmdRun(Args);
  if (Cmd == "search")
    return cmdSearch(Args);
  if (Cmd == "undo")
    return cmdUndo(Args);
  if (Cmd == "dump")
    return cmdDump(Args);
  if (Cmd == "report")
    return cmdReport(Args);
  if (Cmd == "export")
    return cmdExport(Args);
  return fail("'" + Cmd + "' is not a trace-optimize command; see 'trace-optimize --help'", 2);
}
