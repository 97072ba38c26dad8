import assert from "node:assert/strict";
import {
  CAP,
  grubDefaultCmdline,
  hasCap,
  parseCmdline,
  parseCpuList,
  parseGroups,
  parseLimits,
  parseStatus,
  userName,
} from "./proc.ts";
import { limitsText, ROOT_WITHOUT_RT_CAPS, statusText } from "./fake_facts.ts";

Deno.test("parseLimits reads soft/hard of /proc/self/limits; unlimited is Infinity", () => {
  const l = parseLimits(limitsText(["0", "95"], ["65536", "unlimited"]));
  assert.deepEqual(l.get("Max realtime priority"), { soft: 0, hard: 95 });
  assert.deepEqual(l.get("Max locked memory"), { soft: 65536, hard: Infinity });
  assert.deepEqual(l.get("Max cpu time"), { soft: Infinity, hard: Infinity });
  assert.equal(l.has("Limit"), false);
});

Deno.test("parseStatus: effective uid/gid, groups, CapEff; hasCap by bit", () => {
  const s = parseStatus(statusText(1000, 1001, [29, 1000], "0000000000804000"))!;
  assert.equal(s.uid, 1000);
  assert.equal(s.gid, 1001);
  assert.deepEqual(s.groups, [29, 1000]);
  assert.ok(hasCap(s.capEff, CAP.SYS_NICE));
  assert.ok(hasCap(s.capEff, CAP.IPC_LOCK));
  const dropped = parseStatus(statusText(0, 0, [], ROOT_WITHOUT_RT_CAPS))!;
  assert.ok(!hasCap(dropped.capEff, CAP.SYS_NICE));
  assert.ok(!hasCap(dropped.capEff, CAP.IPC_LOCK));
  assert.ok(hasCap(dropped.capEff, 0), "CAP_CHOWN stays");
  assert.deepEqual(parseStatus("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n")?.groups, []);
  assert.equal(parseStatus("Name: x\n"), undefined);
});

Deno.test("parseGroups and userName read /etc/group and /etc/passwd", () => {
  const g = parseGroups("# comment\nroot:x:0:\naudio:x:29:ana, bo\nbad line\n");
  assert.deepEqual(g, [
    { name: "root", gid: 0, members: [] },
    { name: "audio", gid: 29, members: ["ana", "bo"] },
  ]);
  const passwd = "root:x:0:0::/root:/bin/sh\nana:x:1000:1000::/home/ana:/bin/bash\n";
  assert.equal(userName(passwd, 1000), "ana");
  assert.equal(userName(passwd, 0), "root");
  assert.equal(userName(passwd, 7), undefined);
});

Deno.test("parseCmdline stops at --; grubDefaultCmdline; parseCpuList", () => {
  const p = parseCmdline("ro quiet preempt=full isolcpus=2-3 -- --firecracker-init threadirqs\n");
  assert.equal(p.get("preempt"), "full");
  assert.equal(p.get("isolcpus"), "2-3");
  assert.equal(p.get("quiet"), "");
  assert.equal(p.has("threadirqs"), false, "after -- belongs to init");
  assert.equal(
    grubDefaultCmdline('A=1\nGRUB_CMDLINE_LINUX_DEFAULT="quiet splash"\n'),
    "quiet splash",
  );
  assert.equal(grubDefaultCmdline("GRUB_CMDLINE_LINUX_DEFAULT=quiet\n"), "quiet");
  assert.equal(grubDefaultCmdline('GRUB_CMDLINE_LINUX=""\n'), undefined);
  assert.deepEqual(parseCpuList("0-3,8\n"), [0, 1, 2, 3, 8]);
  assert.deepEqual(parseCpuList("0\n"), [0]);
  assert.deepEqual(parseCpuList(""), []);
});
