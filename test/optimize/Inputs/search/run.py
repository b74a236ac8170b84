# Runs ./leap in the candidate's copy and writes its trace: score = share of passing cases,
# success when all pass. Also, for the tests:
#  - appends one line per evaluation to $SEARCH_TEST_LOG (which copy, and its score);
#  - fails when the user's sources ($SEARCH_TEST_USER/leap.cpp) differ from leap.orig: a search
#    must not touch them before the final apply;
#  - with $SEARCH_TEST_KILL_AT=N, kills trace-optimize (SIGKILL) during the N-th evaluation.
import os, signal, subprocess, sys
support, trace = sys.argv[1], sys.argv[2]
user = os.environ.get("SEARCH_TEST_USER")
if user and open(os.path.join(user, "leap.cpp"), "rb").read() != open(os.path.join(user, "leap.orig"), "rb").read():
    print("the user's leap.cpp changed during the search", file=sys.stderr)
    sys.exit(99)
failures = subprocess.run(["./leap"]).returncode
score = (4 - failures) / 4
log = os.environ.get("SEARCH_TEST_LOG")
count = 0
if log:
    with open(log, "a") as f:
        f.write("%s %s\n" % (os.path.basename(os.path.dirname(os.getcwd())), score))
    count = len(open(log).read().splitlines())
kill_at = os.environ.get("SEARCH_TEST_KILL_AT")
if kill_at and count == int(kill_at):
    # Our parent is the shell; its parent is trace-optimize.
    with open("/proc/%d/stat" % os.getppid()) as f:
        tool = int(f.read().rsplit(")", 1)[1].split()[1])
    os.kill(tool, signal.SIGKILL)
args = [sys.executable, support + "/mktrace.py", "leap.cpp", "-o", trace, "--call", "is_leap", "year=1900", "?",
        "--feedback", "%d of 4 cases fail" % failures, "--score", str(score)]
if failures == 0:
    args.append("--success")
sys.exit(subprocess.run(args).returncode)
