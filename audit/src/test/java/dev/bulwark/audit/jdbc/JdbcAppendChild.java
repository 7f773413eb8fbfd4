package dev.bulwark.audit.jdbc;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.Actor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.ChildKeys;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * One "node" of {@link JdbcMultiProcessIT}: a JVM of its own that appends to a shared PostgreSQL
 * log from several threads and reports every acknowledged append on stdout (protocol in
 * {@code ChildProcess}). Waits for GO on stdin before appending, so all nodes start together;
 * appends {@code perThread} events per thread, or until STOP when {@code perThread} is 0.
 *
 * <p>Arguments: url user schema logId origin keysDir name threads perThread segmentEvents.
 */
public final class JdbcAppendChild {
  private JdbcAppendChild() {}

  public static void main(String[] args) throws Exception {
    DataSource ds = PgSchema.dataSource(args[0], args[1], args[2]);
    String logId = args[3];
    String origin = args[4];
    ChildKeys keys = ChildKeys.read(Path.of(args[5]));
    String name = args[6];
    int threads = Integer.parseInt(args[7]);
    int perThread = Integer.parseInt(args[8]);
    long segmentEvents = Long.parseLong(args[9]);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);

    AuditLog log = AuditLog.builder(origin, new JdbcAuditStore(ds, logId))
        .signer(keys.signer(origin)).chainKey(keys.chainKey()).anchor(new JdbcCheckpointAnchor(ds))
        .checkpointEvery(100, Duration.ofSeconds(1)).segments(segmentEvents, Duration.ofDays(1)).build();
    print(out, "READY " + log.size());
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    if (!"GO".equals(in.readLine())) {
      System.exit(2);
    }
    AtomicBoolean stop = new AtomicBoolean();
    Thread control = new Thread(() -> {
      try {
        for (String line; (line = in.readLine()) != null && !"STOP".equals(line); ) {
          // only STOP (or the parent going away) ends an open-ended run
        }
      } catch (IOException e) {
        // the parent is gone: stop as well
      }
      stop.set(true);
    }, "control");
    control.setDaemon(true);
    control.start();

    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread th = new Thread(() -> {
        for (int i = 0; perThread > 0 ? i < perThread : !stop.get(); i++) {
          AuditEvent e = AuditEvent.builder(Action.SENSITIVE_UPDATE, Actor.service(name + "-t" + thread))
              .detail("i", Integer.toString(i)).build(Clock.systemUTC());
          try {
            long seq = log.append(e).seq();
            print(out, "A " + seq + " " + thread + " " + i);
          } catch (RuntimeException ex) {
            print(out, "F " + thread + " " + ex);
            return;
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
