package dev.bulwark.audit;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * The process {@link CrashIT} kills: appends from many threads to a file log forever and prints
 * each acknowledged sequence number on stdout after {@code append} returned (after fsync).
 */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int threads = Integer.parseInt(args[1]);
    Path keys = Path.of(args[2]);
    KeyFactory kf = KeyFactory.getInstance("Ed25519");
    KeyPair kp = new KeyPair(kf.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(keys.resolve("public.der")))),
        kf.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(keys.resolve("private.der")))));
    ChainKey chainKey = ChainKey.of(Files.readAllBytes(keys.resolve("chain.key")));
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
    FileAuditStore store = FileAuditStore.open(dir);
    AuditLog log = AuditLog.builder(CrashIT.ORIGIN, store).signer(CheckpointSigner.of(CrashIT.ORIGIN, kp)).chainKey(chainKey)
        .checkpointEvery(500, java.time.Duration.ofSeconds(1)).segments(5000, java.time.Duration.ofDays(1)).build();
    out.println("READY " + log.size());
    out.flush();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread th = new Thread(() -> {
        for (int i = 0; ; i++) {
          long seq = log.append(AuditEvent.builder(Action.SENSITIVE_UPDATE, Actor.service("crash-" + thread))
              .detail("i", Integer.toString(i)).build(java.time.Clock.systemUTC())).seq();
          synchronized (out) {
            out.println(seq);
            out.flush();
          }
        }
      });
      th.start();
    }
  }
}
