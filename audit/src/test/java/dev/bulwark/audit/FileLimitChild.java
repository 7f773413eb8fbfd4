package dev.bulwark.audit;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The process {@link FileFaultsIT} runs under {@code ulimit -f}: appends to a file log from
 * several threads until the kernel refuses to let the segment grow (EFBIG, like a full disk).
 * Each thread stops after its third failed append; then the log is closed. Reports on stdout as
 * {@link ChildProcess} describes.
 *
 * <p>Arguments: logDir keysDir anchorDir threads.
 */
public final class FileLimitChild {
  static final String ORIGIN = "limit.example/audit";

  private FileLimitChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    ChildKeys keys = ChildKeys.read(Path.of(args[1]));
    DirectoryAnchor anchor = new DirectoryAnchor(Path.of(args[2]));
    int threads = Integer.parseInt(args[3]);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    FileAuditStore store = FileAuditStore.open(dir);
    AuditLog log = AuditLog.builder(ORIGIN, store).signer(keys.signer(ORIGIN)).chainKey(keys.chainKey()).anchor(anchor)
        .checkpointEvery(20, Duration.ofSeconds(1)).build();
    print(out, "READY " + log.size());
    if (!"GO".equals(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine())) {
      System.exit(2);
    }
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread th = new Thread(() -> {
        int failed = 0;
        for (int i = 0; failed < 3; i++) {
          try {
            long seq = log.append(AuditEvent.builder(Action.SENSITIVE_UPDATE, Actor.service("limit-t" + thread))
                .detail("i", Integer.toString(i)).build(Clock.systemUTC())).seq();
            print(out, "A " + seq + " " + thread + " " + i);
          } catch (AuditException e) {
            failed++;
            print(out, "F " + thread + " " + i + " " + e.getMessage());
          }
        }
      }, "producer-" + t);
      th.start();
      producers.add(th);
    }
    for (Thread th : producers) {
      th.join();
    }
    log.close();
    store.close();
    print(out, "DONE " + log.size());
    System.exit(0);
  }

  private static void print(PrintStream out, String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
