#!/usr/bin/env python3
"""A real single-node Slurm cluster in a folder, for the tests: its own munged (own socket), a
slurmctld and a slurmd on free ports, with no accounting storage. Debian's slurm-wlm and munge,
run as root.

  slurm_cluster.py probe               start one in a temporary folder and stop it again; exit 0,
                                       or 1 with the reason why Slurm cannot run here
  slurm_cluster.py run DIR [--spool DIR] -- CMD...
                                       start one in DIR, run CMD with SLURM_CONF set, then stop
                                       everything it started, also when CMD or the start fails;
                                       exits with CMD's status

The sockets (munged's, and the ones slurmd makes in its spool folder for each job step, named
after the host and the job) go to a short folder under the system's temporary folder: a Unix
socket path has at most 108 bytes, which a test's output folder can exceed, and a job whose
step socket cannot be made fails to launch. --spool puts the spool folder elsewhere (a test of
that failure).

Stopping cancels the cluster's jobs first (so no job step outlives it), then ends the three
daemons it started, by their process ids.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DAEMONS = ["munged", "slurmctld", "slurmd"]
CLIENTS = ["sbatch", "squeue", "scontrol", "scancel", "sinfo"]


class Unavailable(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


class Cluster:
    def __init__(self, d, spool=None):
        self.dir = os.path.abspath(d)
        self.spool = os.path.abspath(spool) if spool else None
        self.sockets = None
        self.procs = []
        self.conf = os.path.join(self.dir, "slurm.conf")
        self.env = dict(os.environ, SLURM_CONF=self.conf)

    def check_host(self):
        if os.geteuid() != 0:
            raise Unavailable("not root: slurmd must run as root to start jobs")
        missing = [p for p in DAEMONS + CLIENTS if not shutil.which(p, path=os.environ.get("PATH", "") + ":/usr/sbin")]
        if missing:
            raise Unavailable("missing %s (Debian: apt-get install slurm-wlm munge)" % ", ".join(missing))
        if not os.path.exists("/etc/munge/munge.key"):
            raise Unavailable("no /etc/munge/munge.key (Debian's munge package makes it)")

    def spawn(self, name, argv):
        log = open(os.path.join(self.dir, name + ".out"), "w")
        exe = shutil.which(argv[0], path=os.environ.get("PATH", "") + ":/usr/sbin")
        p = subprocess.Popen([exe] + argv[1:], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env=self.env, start_new_session=True)
        self.procs.append((name, p))
        return p

    def start(self):
        self.check_host()
        os.makedirs(os.path.join(self.dir, "state"), exist_ok=True)
        self.sockets = tempfile.mkdtemp(prefix="tsl-")
        spool = self.spool or os.path.join(self.sockets, "spool")
        os.makedirs(spool, exist_ok=True)
        d = self.dir
        sock = os.path.join(self.sockets, "munge.sock")
        self.spawn("munged", ["munged", "--foreground", "--force", "--socket=" + sock, "--pid-file=" + d + "/munged.pid",
                              "--log-file=" + d + "/munged.log", "--seed-file=" + d + "/munged.seed"])
        for _ in range(100):
            if os.path.exists(sock):
                break
            if self.procs[-1][1].poll() is not None:
                raise Unavailable("munged did not start: " + tail(d + "/munged.out") + tail(d + "/munged.log"))
            time.sleep(0.05)
        host = socket.gethostname().split(".")[0]
        mem = 1024
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = max(int(line.split()[1]) // 1024 - 512, 256)
        conf = """ClusterName=tracetest
SlurmctldHost={host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={sock}
CredType=cred/munge
StateSaveLocation={d}/state
SlurmdSpoolDir={spool}
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
SlurmctldPort={p1}
SlurmdPort={p2}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc={d}/jobcomp.log
MpiDefault=none
ReturnToService=2
SchedulerParameters=sched_interval=1
NodeName={host} CPUs={cpus} RealMemory={mem} State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
""".format(host=host, sock=sock, d=d, spool=spool, p1=free_port(), p2=free_port(), cpus=os.cpu_count() or 1, mem=mem)
        with open(self.conf, "w") as f:
            f.write(conf)
        self.spawn("slurmctld", ["slurmctld", "-D", "-i", "-f", self.conf])
        self.spawn("slurmd", ["slurmd", "-D", "-f", self.conf])
        deadline = time.time() + 40
        state = ""
        while time.time() < deadline:
            for name, p in self.procs:
                if p.poll() is not None:
                    raise Unavailable("%s exited with status %d:\n%s%s" % (name, p.returncode, tail(
                        os.path.join(d, name + ".out")), tail(os.path.join(d, name + ".log"))))
            r = subprocess.run(["sinfo", "-h", "-o", "%T"], env=self.env, capture_output=True, text=True)
            state = r.stdout.strip()
            if r.returncode == 0 and state == "idle":
                return
            time.sleep(0.3)
        raise Unavailable("the node did not become idle in 40 s (sinfo: %r):\n%s%s" %
                          (state, tail(d + "/slurmctld.log"), tail(d + "/slurmd.log")))

    def stop(self):
        if any(name == "slurmctld" and p.poll() is None for name, p in self.procs):
            subprocess.run(["scancel", "--full", "-u", "root"], env=self.env, capture_output=True, timeout=30)
            deadline = time.time() + 15
            while time.time() < deadline:
                r = subprocess.run(["squeue", "-h"], env=self.env, capture_output=True, text=True, timeout=30)
                if r.returncode != 0 or not r.stdout.strip():
                    break
                time.sleep(0.3)
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for name, p in reversed(self.procs):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []
        if self.sockets:
            shutil.rmtree(self.sockets, ignore_errors=True)
            self.sockets = None


def main(argv):
    if len(argv) >= 1 and argv[0] == "probe":
        d = tempfile.mkdtemp(prefix="trace-slurm-probe-")
        c = Cluster(d)
        try:
            c.start()
        except Unavailable as e:
            print(str(e).strip().splitlines()[0] if str(e).strip() else "cannot start", file=sys.stderr)
            return 1
        finally:
            c.stop()
            shutil.rmtree(d, ignore_errors=True)
        return 0
    spool = None
    if len(argv) >= 5 and argv[0] == "run" and argv[2] == "--spool":
        spool = argv[3]
        argv = argv[:2] + argv[4:]
    if len(argv) >= 3 and argv[0] == "run" and argv[2] == "--":
        c = Cluster(argv[1], spool)
        os.makedirs(c.dir, exist_ok=True)
        # A signal (a lit timeout, ^C) still stops the cluster.
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda s, f: sys.exit(128 + s))
        try:
            c.start()
            return subprocess.run(argv[3:], env=c.env).returncode
        except Unavailable as e:
            print("slurm_cluster.py: " + str(e), file=sys.stderr)
            return 1
        finally:
            c.stop()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
