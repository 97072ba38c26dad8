/*
 * link_peer.cpp — a small Ableton Link peer for the Link tests and the
 * benchmark (test-only): another app in the session, driven line by line
 * on stdin, answering on stdout.
 *
 *   enable 0|1        leave / join the session
 *   sync 0|1          start/stop sync off / on
 *   tempo BPM         commit a new tempo now
 *   play 0|1          commit stop / start now
 *   now               -> "HOST_US"  (Link's host clock, µs)
 *   state HOST_US Q   -> "PEERS BPM BEAT PHASE PLAYING" at that host time
 *                        for quantum Q
 *   quit
 * Unknown lines answer "error: ..." and the peer carries on.
 *
 * Thread: its main thread (Link's app-thread API) and Link's own threads.
 * Run it only inside a private network namespace (see test_link.c): Link
 * multicasts on every interface that is up.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <ableton/Link.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

int main() {
  try {
    ableton::Link link(120.0);
    std::string line;
    std::cout.setf(std::ios::fixed);
    std::cout.precision(9);
    while (std::getline(std::cin, line)) {
      std::istringstream in(line);
      std::string cmd;
      in >> cmd;
      if (cmd == "quit") break;
      if (cmd == "enable" || cmd == "sync" || cmd == "play") {
        int on = 0;
        if (!(in >> on)) {
          std::cout << "error: " << cmd << " needs 0 or 1" << std::endl;
          continue;
        }
        if (cmd == "enable") link.enable(on != 0);
        else if (cmd == "sync") link.enableStartStopSync(on != 0);
        else {
          auto s = link.captureAppSessionState();
          s.setIsPlaying(on != 0, link.clock().micros());
          link.commitAppSessionState(s);
        }
        std::cout << "ok" << std::endl;
      } else if (cmd == "tempo") {
        double bpm = 0;
        if (!(in >> bpm)) {
          std::cout << "error: tempo needs a number" << std::endl;
          continue;
        }
        auto s = link.captureAppSessionState();
        s.setTempo(bpm, link.clock().micros());
        link.commitAppSessionState(s);
        std::cout << "ok" << std::endl;
      } else if (cmd == "now") {
        std::cout << link.clock().micros().count() << std::endl;
      } else if (cmd == "state") {
        long long t = 0;
        double q = 4;
        if (!(in >> t >> q)) {
          std::cout << "error: state needs HOST_US QUANTUM" << std::endl;
          continue;
        }
        auto s = link.captureAppSessionState();
        const auto at = std::chrono::microseconds(t);
        std::cout << link.numPeers() << ' ' << s.tempo() << ' ' << s.beatAtTime(at, q) << ' '
                  << s.phaseAtTime(at, q) << ' ' << (s.isPlaying() ? 1 : 0) << std::endl;
      } else {
        std::cout << "error: unknown command \"" << cmd << "\"" << std::endl;
      }
    }
    link.enable(false);
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "link_peer: %s\n", e.what());
    return 1;
  }
}
