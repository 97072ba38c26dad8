/**
 * Exact fix texts shared by several checks: the limits.conf lines, setcap,
 * the GRUB command-line line, plus the machine facts they depend on.
 *
 * Thread: CT. Pure apart from reads through a SystemFacts.
 *
 * @module
 */
import type { SystemFacts } from "./facts.ts";
import { grubDefaultCmdline, parseStatus, userName } from "./proc.ts";

/** The file doctor suggests for limits (Debian's jackd2 writes the same one). */
export const LIMITS_FILE = "/etc/security/limits.d/audio.conf";

/** The limits line for real-time priority. */
export const RTPRIO_LINE = "@audio - rtprio 95";

/** The limits line for locked memory. */
export const MEMLOCK_LINE = "@audio - memlock unlimited";

/**
 * The user name of this process: /etc/passwd by effective uid, else $USER.
 *
 * @param facts Where to read.
 * @returns A name, or "$USER" when unknown.
 */
export function currentUser(facts: SystemFacts): string {
  const status = parseStatus(facts.readText("/proc/self/status") ?? "");
  const passwd = facts.readText("/etc/passwd");
  if (status && passwd) {
    const name = userName(passwd, status.uid);
    if (name) return name;
  }
  return facts.env("USER") ?? "$USER";
}

/**
 * How to add a line to the limits file and make it apply.
 *
 * @param facts Where to read the user name and Deno's path.
 * @param line {@linkcode RTPRIO_LINE} or {@linkcode MEMLOCK_LINE}.
 * @returns The fix text, with the setcap alternative.
 */
export function limitsFix(facts: SystemFacts, line: string): string {
  return `echo '${line}' | sudo tee -a ${LIMITS_FILE} && sudo usermod -aG audio ${
    currentUser(facts)
  } (then log in again); or: ${setcapFix(facts)}`;
}

/**
 * The setcap alternative: the capabilities on the Deno binary itself.
 *
 * @param facts Where to read Deno's path.
 * @returns `sudo setcap cap_sys_nice,cap_ipc_lock+ep <deno>`.
 */
export function setcapFix(facts: SystemFacts): string {
  return `sudo setcap cap_sys_nice,cap_ipc_lock+ep ${facts.execPath()}`;
}

/**
 * Whether this looks like a virtual machine: the CPU's `hypervisor` flag or
 * a DMI product name of a known hypervisor.
 *
 * @param facts Where to read.
 * @returns True in a VM.
 */
export function isVirtualMachine(facts: SystemFacts): boolean {
  const cpuinfo = facts.readText("/proc/cpuinfo") ?? "";
  if (/^flags\s*:.*\bhypervisor\b/m.test(cpuinfo)) return true;
  const product = `${facts.readText("/sys/class/dmi/id/product_name") ?? ""} ${
    facts.readText("/sys/class/dmi/id/sys_vendor") ?? ""
  }`;
  return /qemu|kvm|vmware|virtualbox|firecracker|hyper-v|xen|bochs/i.test(product);
}

/**
 * Whether the system is Debian or based on it (/etc/os-release ID, ID_LIKE).
 *
 * @param facts Where to read.
 * @returns True for Debian, Ubuntu, Mint, ...
 */
export function isDebianLike(facts: SystemFacts): boolean {
  const os = facts.readText("/etc/os-release") ?? "";
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(os);
}

/**
 * The fix that puts parameters on the kernel command line: the exact
 * GRUB_CMDLINE_LINUX_DEFAULT line with them added to what /etc/default/grub
 * has now (replacing earlier values of the same keys).
 *
 * @param facts Where to read /etc/default/grub and the OS family.
 * @param params Parameters to add, e.g. ["threadirqs"] or ["isolcpus=1"].
 * @returns The fix text.
 */
export function grubFix(facts: SystemFacts, params: readonly string[]): string {
  const grub = facts.readText("/etc/default/grub");
  const current = grub === undefined ? undefined : grubDefaultCmdline(grub);
  const update = isDebianLike(facts)
    ? "sudo update-grub"
    : "sudo grub2-mkconfig -o /boot/grub2/grub.cfg";
  if (current === undefined) {
    const where = grub === undefined
      ? "no /etc/default/grub here: use the boot loader's own configuration"
      : "add a GRUB_CMDLINE_LINUX_DEFAULT line to /etc/default/grub";
    return `add "${params.join(" ")}" to the kernel command line (${where}), then reboot`;
  }
  const keys = new Set(params.map((p) => p.split("=")[0]));
  const kept = current.split(/\s+/).filter((t) => t !== "" && !keys.has(t.split("=")[0]));
  const line = `GRUB_CMDLINE_LINUX_DEFAULT="${[...kept, ...params].join(" ")}"`;
  return `set ${line} in /etc/default/grub, then: ${update} && sudo reboot`;
}
