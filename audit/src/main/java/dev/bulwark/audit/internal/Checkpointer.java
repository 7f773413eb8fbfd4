package dev.bulwark.audit.internal;

import dev.bulwark.audit.Checkpoint;
import dev.bulwark.audit.SignedCheckpoint;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One thread per log that signs (Ed25519 is the slowest step of a checkpoint), stores and
 * anchors checkpoints in the order they were cut, so a checkpoint never holds up appends unless
 * the checkpointer falls {@link #BACKLOG} checkpoints behind. It never takes the writer lock.
 * The thread starts with the first cut and ends after a while without one.
 *
 * <p>Thread-safe. Not part of the API.
 */
public final class Checkpointer {

  /** Cut checkpoints that may wait to be published before {@link #submit} blocks. */
  public static final int BACKLOG = 2;

  /** A checkpoint whose content is fixed, on its way to being signed, stored and anchored. */
  public static final class Cut {
    private final Checkpoint checkpoint;
    private final CompletableFuture<SignedCheckpoint> done = new CompletableFuture<>();
    /** When the first event after this cut was recorded (guarded by the {@link TamperWindow}). */
    Instant firstAfterAt;

    public Cut(Checkpoint checkpoint) {
      this.checkpoint = checkpoint;
    }

    public Checkpoint checkpoint() {
      return checkpoint;
    }

    /** Completed with the published checkpoint, or exceptionally with why it was not. */
    public CompletableFuture<SignedCheckpoint> done() {
      return done;
    }
  }

  private final String threadName;
  private final Function<Cut, SignedCheckpoint> publish;
  private final Consumer<Throwable> onFailure;
  private final ArrayDeque<Cut> cuts = new ArrayDeque<>();
  private Thread thread;
  private boolean stopping;

  /**
   * @param publish signs, stores and anchors one cut (on the checkpointer's thread)
   * @param onFailure told when publishing a cut threw (before the cut's future fails)
   */
  public Checkpointer(String threadName, Function<Cut, SignedCheckpoint> publish, Consumer<Throwable> onFailure) {
    this.threadName = threadName;
    this.publish = publish;
    this.onFailure = onFailure;
  }

  /** Queues a cut; blocks while {@link #BACKLOG} cuts wait. */
  public synchronized void submit(Cut cut) {
    boolean interrupted = false;
    while (cuts.size() >= BACKLOG) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    cuts.add(cut);
    if (thread == null) {
      thread = new Thread(this::run, threadName);
      thread.setDaemon(true);
      thread.start();
    }
    notifyAll();
  }

  /** The next cut to publish, or null when the thread should end (stopped, or idle a while). */
  private synchronized Cut next() {
    boolean interrupted = false;
    long idleUntil = System.nanoTime() + GroupCommit.IDLE_THREAD_NANOS;
    while (cuts.isEmpty() && !stopping) {
      long left = idleUntil - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Cut c = cuts.peekFirst();
    if (c == null) {
      thread = null; // submit() starts a new one when needed
    }
    return c;
  }

  private synchronized void finished() {
    cuts.pollFirst();
    notifyAll();
  }

  private void run() {
    for (Cut cut = next(); cut != null; cut = next()) {
      try {
        cut.done.complete(publish.apply(cut));
      } catch (RuntimeException | Error e) {
        onFailure.accept(e);
        cut.done.completeExceptionally(e);
      } finally {
        finished();
      }
    }
  }

  /** Waits until every checkpoint submitted so far is published. */
  public synchronized void drain() {
    boolean interrupted = false;
    while (!cuts.isEmpty()) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until every submitted checkpoint is published and stops the thread. */
  public void stop() {
    Thread t;
    synchronized (this) {
      stopping = true;
      notifyAll();
      t = thread;
    }
    if (t != null && t != Thread.currentThread()) {
      boolean interrupted = false;
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
