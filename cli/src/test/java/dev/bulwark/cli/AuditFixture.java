package dev.bulwark.cli;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.FileAuditStore;
import dev.bulwark.audit.Outcome;
import dev.bulwark.audit.spi.AuditStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/** Builds real audit logs for the command tests. */
final class AuditFixture {

  static final String ORIGIN = "test.example/audit";

  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);
  final AtomicReference<Instant> now = new AtomicReference<>(Cli.NOW);

  /** A file-store log of {@code events} events, closed with a final signed checkpoint. */
  Path fileLog(Path dir, int events) {
    try (FileAuditStore store = FileAuditStore.open(dir)) {
      fill(store, events);
    }
    return dir;
  }

  void fill(AuditStore store, int events) {
    InstantSource clock = now::get;
    try (AuditLog log = AuditLog.builder(ORIGIN, store).signer(signer).clock(clock).build()) {
      for (int i = 0; i < events; i++) {
        log.append(AuditEvent.builder(i % 2 == 0 ? Action.AUTHN_LOGIN_FAIL : Action.AUTHN_LOGIN_SUCCESS,
            Actor.user("user-" + i, "password")).outcome(i % 2 == 0 ? Outcome.FAILURE : Outcome.SUCCESS)
            .reason(i % 2 == 0 ? "bad_password" : null).build(clock));
      }
    }
  }

  String vkey() {
    return signer.publicKey().vkey();
  }

  static Path firstSegment(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("seg-\\d{20}\\.log")).sorted().findFirst().orElseThrow();
    }
  }

  static void flip(Path file, long offset, int mask) throws IOException {
    byte[] b = Files.readAllBytes(file);
    b[(int) offset] ^= (byte) mask;
    Files.write(file, b);
  }
}
