import assert from "node:assert/strict";
import { checkAudioGroup, checkMemlock, checkRtprio } from "./limits.ts";
import {
  ALL_CAPS,
  fakeFacts,
  limitsText,
  NO_CAPS,
  ROOT_WITHOUT_RT_CAPS,
  statusText,
} from "./fake_facts.ts";

const RTPRIO_FIX = "echo '@audio - rtprio 95' | sudo tee -a /etc/security/limits.d/audio.conf && " +
  "sudo usermod -aG audio ana (then log in again); or: " +
  "sudo setcap cap_sys_nice,cap_ipc_lock+ep /usr/local/bin/deno";

Deno.test("ulimit -r 0 for a normal user fails with the limits.conf line and setcap", () => {
  const r = checkRtprio(fakeFacts());
  assert.equal(r.status, "FAIL");
  assert.match(r.finding, /^ulimit -r is 0 \(hard 0\) and no CAP_SYS_NICE: SCHED_FIFO is denied/);
  assert.equal(r.fix, RTPRIO_FIX);
  assert.deepEqual(r.data, { soft: 0, hard: 0, cap_sys_nice: false, uid: 1000 });
});

Deno.test("ulimit -r 95 passes; soft 0 with hard 95 warns with ulimit -r 95; 50 warns", () => {
  const ok = checkRtprio(fakeFacts({ files: { "/proc/self/limits": limitsText(["95", "95"]) } }));
  assert.equal(ok.status, "PASS");
  assert.equal(ok.fix, undefined);
  const soft = checkRtprio(fakeFacts({ files: { "/proc/self/limits": limitsText(["0", "95"]) } }));
  assert.equal(soft.status, "WARN");
  assert.equal(soft.fix, "ulimit -r 95 (in the shell that starts the session)");
  const low = checkRtprio(fakeFacts({ files: { "/proc/self/limits": limitsText(["50", "50"]) } }));
  assert.equal(low.status, "WARN");
  assert.match(low.finding, /use --rt-priority 50/);
  assert.equal(low.fix, RTPRIO_FIX);
  assert.equal(
    checkRtprio(fakeFacts({ files: { "/proc/self/limits": limitsText(["50", "50"]) } }), 40).status,
    "PASS",
  );
});

Deno.test("root with CAP_SYS_NICE passes at ulimit -r 0 and says the capability bypasses it", () => {
  const r = checkRtprio(fakeFacts({
    files: { "/proc/self/status": statusText(0, 0, [], ALL_CAPS) },
  }));
  assert.equal(r.status, "PASS");
  assert.match(
    r.finding,
    /ulimit -r is 0 \(hard 0\), but this process runs as root with CAP_SYS_NICE, which bypasses it/,
  );
  assert.match(r.finding, /other users need "@audio - rtprio 95"/);
});

Deno.test("root with CAP_SYS_NICE dropped (setpriv) fails like a normal user", () => {
  const r = checkRtprio(fakeFacts({
    files: { "/proc/self/status": statusText(0, 0, [], ROOT_WITHOUT_RT_CAPS) },
  }));
  assert.equal(r.status, "FAIL");
  assert.match(r.fix!, /@audio - rtprio 95/);
  assert.match(r.fix!, /sudo usermod -aG audio root/);
  assert.match(r.fix!, /setcap cap_sys_nice,cap_ipc_lock\+ep/);
});

Deno.test("ulimit -l 64 KiB fails with the memlock line; 256 MiB warns; unlimited passes", () => {
  const tiny = checkMemlock(fakeFacts({
    files: { "/proc/self/limits": limitsText(["0", "0"], ["65536", "65536"]) },
  }));
  assert.equal(tiny.status, "FAIL");
  assert.match(tiny.finding, /^ulimit -l is 64 KiB \(hard 64 KiB\) and no CAP_IPC_LOCK/);
  assert.equal(
    tiny.fix,
    "echo '@audio - memlock unlimited' | sudo tee -a /etc/security/limits.d/audio.conf && " +
      "sudo usermod -aG audio ana (then log in again); or: " +
      "sudo setcap cap_sys_nice,cap_ipc_lock+ep /usr/local/bin/deno",
  );
  const mid = checkMemlock(fakeFacts({
    files: {
      "/proc/self/limits": limitsText(["0", "0"], [String(256 * 2 ** 20), String(256 * 2 ** 20)]),
    },
  }));
  assert.equal(mid.status, "WARN");
  assert.match(mid.finding, /^ulimit -l is 256 MiB/);
  assert.match(mid.fix!, /@audio - memlock unlimited/);
  const raise = checkMemlock(fakeFacts({
    files: { "/proc/self/limits": limitsText(["0", "0"], ["65536", "unlimited"]) },
  }));
  assert.equal(raise.status, "FAIL");
  assert.match(
    raise.fix!,
    /^ulimit -l unlimited \(in the shell that starts the session\); for good: /,
  );
  const unl = checkMemlock(fakeFacts({
    files: { "/proc/self/limits": limitsText(["0", "0"], ["unlimited", "unlimited"]) },
  }));
  assert.equal(unl.status, "PASS");
  assert.equal(unl.data?.soft_bytes, "unlimited");
});

Deno.test("ulimit -l with CAP_IPC_LOCK passes and says so", () => {
  const r = checkMemlock(
    fakeFacts({ files: { "/proc/self/status": statusText(0, 0, [], ALL_CAPS) } }),
  );
  assert.equal(r.status, "PASS");
  assert.match(r.finding, /but this process runs as root with CAP_IPC_LOCK, which bypasses it/);
});

Deno.test("audio group: in session passes; listed but not in session warns; absent warns", () => {
  assert.equal(checkAudioGroup(fakeFacts()).status, "PASS");
  assert.equal(checkAudioGroup(fakeFacts()).finding, "ana is in the audio group");
  const stale = checkAudioGroup(fakeFacts({
    files: { "/proc/self/status": statusText(1000, 1000, [1000], NO_CAPS) },
  }));
  assert.equal(stale.status, "WARN");
  assert.match(stale.finding, /this session started before that/);
  assert.match(stale.fix!, /newgrp audio/);
  const out = checkAudioGroup(fakeFacts({
    files: {
      "/proc/self/status": statusText(1000, 1000, [1000], NO_CAPS),
      "/etc/group": "audio:x:29:bo\nana:x:1000:\n",
    },
  }));
  assert.equal(out.status, "WARN");
  assert.equal(out.fix, "sudo usermod -aG audio ana (then log in again)");
  const none = checkAudioGroup(fakeFacts({ files: { "/etc/group": "ana:x:1000:\n" } }));
  assert.equal(none.status, "WARN");
  assert.match(none.fix!, /^sudo groupadd audio/);
  const root = checkAudioGroup(fakeFacts({
    files: { "/proc/self/status": statusText(0, 0, [], ALL_CAPS) },
  }));
  assert.equal(root.status, "PASS");
  assert.match(root.finding, /^root is not in the audio group and needs not be/);
  const dropped = checkAudioGroup(fakeFacts({
    files: { "/proc/self/status": statusText(0, 0, [], ROOT_WITHOUT_RT_CAPS) },
  }));
  assert.equal(dropped.status, "WARN");
  assert.equal(dropped.fix, "sudo usermod -aG audio root (then log in again)");
});
