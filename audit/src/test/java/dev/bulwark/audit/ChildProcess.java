package dev.bulwark.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child JVM started by an integration test, running one of the test's {@code main} classes on
 * the test class path, and the parent's view of what it reported on stdout, one line each:
 *
 * <pre>
 * READY &lt;log size&gt;          the child opened the log and waits for GO on stdin
 * A &lt;seq&gt; &lt;thread&gt; &lt;i&gt;       append returned (the event is durable): acknowledged
 * F &lt;thread&gt; &lt;message&gt;       append threw: not acknowledged
 * DONE &lt;log size&gt;           the child closed the log and is about to exit
 * </pre>
 *
 * <p>Lines are printed only after the fact they report, so everything the parent has read is
 * true even if the child is killed the next instant; lines still in the pipe are simply not
 * counted.
 */
public final class ChildProcess implements AutoCloseable {

  /** One acknowledged append: sequence number, producer thread and that thread's counter. */
  public record Ack(long seq, int thread, int i) {}

  private final String name;
  private final Process process;
  private final Writer stdin;
  private final Thread reader;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final CountDownLatch done = new CountDownLatch(1);
  private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
  private final AtomicInteger ackCount = new AtomicInteger();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final List<String> other = Collections.synchronizedList(new ArrayList<>());
  private volatile long readySize = -1;
  private volatile long doneSize = -1;

  private ChildProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.reader = new Thread(this::readLines, "child-" + name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code main} in a new JVM with the test's class path. */
  public static ChildProcess start(String name, Class<?> main, List<String> args) {
    return start(name, main, args, -1);
  }

  /**
   * Starts {@code main} in a new JVM whose files may not grow beyond {@code fileLimitKiB} KiB
   * ({@code ulimit -f}, so writes past it fail in the kernel with EFBIG like a full disk), or
   * without a limit when it is negative.
   */
  public static ChildProcess start(String name, Class<?> main, List<String> args, long fileLimitKiB) {
    List<String> cmd = new ArrayList<>();
    if (fileLimitKiB >= 0) {
      // bash and dash count ulimit -f in 1024-byte blocks; "$0" "$@" pass the java command line unquoted.
      cmd.addAll(List.of("/bin/sh", "-c", "ulimit -f " + fileLimitKiB + " && exec \"$0\" \"$@\""));
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(args);
    try {
      return new ChildProcess(name, new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start child JVM " + name, e);
    }
  }

  private void readLines() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        String[] f = line.trim().split(" ", 4);
        switch (f[0]) {
          case "READY" -> {
            readySize = Long.parseLong(f[1]);
            ready.countDown();
          }
          case "A" -> {
            acks.add(new Ack(Long.parseLong(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3])));
            ackCount.incrementAndGet();
          }
          case "F" -> failures.add(line);
          case "DONE" -> {
            doneSize = Long.parseLong(f[1]);
            done.countDown();
          }
          default -> other.add(line);
        }
      }
    } catch (IOException | RuntimeException e) {
      other.add("stdout reader stopped: " + e);
    } finally {
      ready.countDown();
      done.countDown();
    }
  }

  public String name() {
    return name;
  }

  /** Waits until the child reported READY (or died); returns the log size it saw, -1 if it died. */
  public long awaitReady(long timeoutSeconds) throws InterruptedException {
    if (!ready.await(timeoutSeconds, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + name + " not ready after " + timeoutSeconds + " s; output: " + other);
    }
    return readySize;
  }

  /** Sends one command line (GO, STOP) to the child's stdin. */
  public void send(String command) {
    try {
      stdin.write(command + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("child " + name + " does not read its stdin", e);
    }
  }

  /** Waits until the child acknowledged at least {@code n} appends in total. */
  public void awaitAcks(int n, long timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (ackCount.get() < n) {
      if (!process.isAlive() && done.getCount() == 0 && ackCount.get() < n) {
        throw new AssertionError("child " + name + " exited after " + ackCount.get() + " of " + n + " acks; failures: "
            + failures() + "; output: " + other);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("child " + name + " acknowledged only " + ackCount.get() + " of " + n + " appends in "
            + timeoutSeconds + " s; failures: " + failures());
      }
      Thread.sleep(10);
    }
  }

  /** Waits until the child reported DONE and exited with status 0; returns the log size it reported. */
  public long awaitDone(long timeoutSeconds) throws InterruptedException {
    if (!done.await(timeoutSeconds, TimeUnit.SECONDS) || !process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + name + " did not finish in " + timeoutSeconds + " s");
    }
    reader.join(TimeUnit.SECONDS.toMillis(timeoutSeconds));
    if (process.exitValue() != 0 || doneSize < 0) {
      throw new AssertionError("child " + name + " exited with " + process.exitValue() + "; failures: " + failures()
          + "; output: " + other);
    }
    return doneSize;
  }

  /** kill -9: the child gets no chance to finish anything it started. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + name + " survived kill -9");
    }
    reader.join(TimeUnit.SECONDS.toMillis(60));
  }

  /** Every acknowledgement read so far. */
  public List<Ack> acks() {
    return new ArrayList<>(acks);
  }

  public int ackCount() {
    return ackCount.get();
  }

  /** Every failure line read so far. */
  public List<String> failures() {
    synchronized (failures) {
      return new ArrayList<>(failures);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "child " + name;
  }
}
