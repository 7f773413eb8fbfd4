package dev.bulwark.audit.internal;

import dev.bulwark.audit.AuditException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Group commit for one log's appends: synchronous callers, batches of queued events and the
 * writer thread behind asynchronous appends. Whoever holds the writer lock stores everything
 * queued (up to {@code maxBatch} per batch) through the {@link Storer}; callers whose events
 * someone else stores sleep until they are done. Futures are completed and sleeping callers
 * woken only after the lock is released.
 *
 * <p>Thread-safe. Not part of the API.
 *
 * @param <E> what is appended
 * @param <R> the acknowledgement of one stored event
 */
public final class GroupCommit<E, R> {

  /** How long the writer thread waits for work before it ends. */
  static final long IDLE_THREAD_NANOS = 5_000_000_000L;

  /** Stores batches; called with the writer lock held. */
  public interface Storer<E, R> {
    /**
     * Stores {@code batch} as one unit and sets each event's {@link Pending#succeed result} or
     * {@link Pending#fail error}. An exception fails every event of the batch left without one.
     */
    void store(List<Pending<E, R>> batch);

    /** Work after a batch (checkpoints, seals); its failures are the storer's to record. */
    void afterBatch();
  }

  /**
   * One event waiting to be stored. Its outcome is written under the lock by whichever thread
   * stores it (a synchronous caller or the writer thread) and read under the lock or after it.
   */
  public static final class Pending<E, R> {
    private final E event;
    /** Completed after the store made the event durable; null for synchronous callers. */
    private final CompletableFuture<R> future;
    /** The synchronous caller waiting for this event; null for asynchronous ones. */
    private final Thread waiter;
    private R result;
    private RuntimeException error;
    /** Set after result or error, so a waiter may read them without the lock. */
    private volatile boolean done;

    /** An event stored synchronously by (or on behalf of) the calling thread. */
    public Pending(E event) {
      this(event, null);
    }

    private Pending(E event, CompletableFuture<R> future) {
      this.event = event;
      this.future = future;
      this.waiter = future == null ? Thread.currentThread() : null;
    }

    public E event() {
      return event;
    }

    public R result() {
      return result;
    }

    public RuntimeException error() {
      return error;
    }

    public void succeed(R r) {
      this.result = r;
    }

    public void fail(RuntimeException e) {
      this.error = e;
    }

    boolean isDone() {
      return done;
    }
  }

  private final String writerName;
  private final int maxBatch;
  private final Storer<E, R> storer;
  private final ReentrantLock lock = new ReentrantLock();
  private final ConcurrentLinkedQueue<Pending<E, R>> queue = new ConcurrentLinkedQueue<>();
  /** Permits for asynchronous appends not yet completed (back-pressure). */
  private final Semaphore outstanding;
  private final Object writerMonitor = new Object();
  private volatile Thread writer;
  private volatile boolean writerIdle;
  private volatile boolean closing;
  /** Guarded by lock. */
  private boolean closed;
  /** The batch being stored (reused: one batch at a time under the lock). */
  private final List<Pending<E, R>> batchScratch = new ArrayList<>();

  public GroupCommit(String writerName, int maxBatch, int maxOutstanding, Storer<E, R> storer) {
    this.writerName = writerName;
    this.maxBatch = maxBatch;
    this.outstanding = new Semaphore(maxOutstanding);
    this.storer = storer;
  }

  /** Takes the writer lock (for work that must not interleave with a batch). */
  public void lock() {
    lock.lock();
  }

  /** Releases the writer lock; if events are still queued, wakes someone to store them. */
  public void unlock() {
    lock.unlock();
    Pending<E, R> head = queue.peek();
    if (head == null) {
      return;
    }
    if (head.waiter != null) {
      LockSupport.unpark(head.waiter);
    } else {
      Thread w = writer;
      if (w == null) {
        w = startWriter();
      }
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }

  /** Whether {@link #close} ran; read with the lock held. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Stores one event and returns its acknowledgement once it is durable.
   *
   * @throws AuditException if the store failed; the event was not stored
   * @throws IllegalStateException if closed
   */
  public R append(E event) {
    Pending<E, R> p = new Pending<>(event);
    if (!appendInline(p)) {
      queue.add(p);
      awaitLocked(List.of(p));
    }
    if (p.error != null) {
      throw notLogged(p.error);
    }
    return p.result;
  }

  /** Stores events and returns their acknowledgements once all are durable. */
  public List<R> appendAll(List<E> events) {
    List<Pending<E, R>> mine = new ArrayList<>(events.size());
    for (E e : events) {
      mine.add(new Pending<>(e));
    }
    queue.addAll(mine);
    awaitLocked(mine);
    List<R> out = new ArrayList<>(mine.size());
    for (Pending<E, R> p : mine) {
      if (p.error != null) {
        throw notLogged(p.error);
      }
      out.add(p.result);
    }
    return out;
  }

  /**
   * Queues one event and returns a future completed after it is durable (or exceptionally with
   * an {@link AuditException}); blocks while {@code maxOutstanding} events are in flight.
   */
  public CompletableFuture<R> appendAsync(E event) {
    if (closing) {
      throw new IllegalStateException("audit log is closed");
    }
    try {
      outstanding.acquire();
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new AuditException("interrupted while waiting for earlier audit appends to complete", ie);
    }
    Pending<E, R> p = new Pending<>(event, new CompletableFuture<>());
    queue.add(p);
    if (closing && queue.remove(p)) {
      // close() began after the check above and may have drained the queue already.
      outstanding.release();
      throw new IllegalStateException("audit log is closed");
    }
    Thread w = writer;
    if (w == null) {
      w = startWriter();
    }
    if (w != null && writerIdle) {
      LockSupport.unpark(w);
    }
    return p.future;
  }

  private static AuditException notLogged(RuntimeException error) {
    return new AuditException("audit event was not logged: " + error.getMessage(), error);
  }

  /**
   * Group commit for synchronous callers: the caller that gets the lock stores everything queued
   * (its own events and anyone else's) in batches until its own are done; the others sleep until
   * their events are stored, or until the lock is free and work is left, when one of them takes
   * over. Nobody takes the lock just to see whether its event is done.
   */
  private void awaitLocked(List<Pending<E, R>> mine) {
    List<Pending<E, R>> finished = new ArrayList<>();
    while (!allDone(mine)) {
      if (!lock.tryLock()) {
        // Woken when our events are stored or when the lock holder leaves work behind; the
        // timeout is only a safety net.
        LockSupport.parkNanos(this, 10_000_000L);
        continue;
      }
      boolean wasClosed = closed;
      try {
        if (wasClosed) {
          for (Pending<E, R> p : mine) {
            if (!p.isDone()) {
              queue.remove(p);
            }
          }
        } else {
          while (!allDone(mine) && processBatchLocked(finished)) {
            // next batch
          }
          storer.afterBatch();
        }
      } finally {
        unlock();
        complete(finished);
      }
      if (wasClosed) {
        break;
      }
    }
    for (Pending<E, R> p : mine) {
      if (!p.isDone()) {
        throw new IllegalStateException("audit log is closed");
      }
    }
  }

  /**
   * The uncontended case of {@link #append}: when nobody holds the writer lock and nothing is
   * queued, the caller stores its event at once, without the queue hand-off. Nothing queued
   * while the lock is held means every earlier append (this thread's asynchronous ones too) was
   * already stored, so call order is kept.
   *
   * @return false if the caller must queue the event and wait its turn instead
   */
  private boolean appendInline(Pending<E, R> p) {
    if (!queue.isEmpty() || !lock.tryLock()) {
      return false;
    }
    List<Pending<E, R>> finished = new ArrayList<>(1);
    try {
      if (closed) {
        throw new IllegalStateException("audit log is closed");
      }
      if (!queue.isEmpty()) {
        return false;
      }
      batchScratch.add(p);
      storeLocked(batchScratch, finished);
      storer.afterBatch();
    } finally {
      unlock();
      complete(finished);
    }
    return true;
  }

  /**
   * Takes up to {@code maxBatch} queued events and stores them as one batch; all of them are
   * added to {@code finished}, to be completed after the lock is released.
   *
   * @return false if the queue was empty
   */
  private boolean processBatchLocked(List<Pending<E, R>> finished) {
    List<Pending<E, R>> batch = batchScratch;
    Pending<E, R> p;
    while (batch.size() < maxBatch && (p = queue.poll()) != null) {
      batch.add(p);
    }
    if (batch.isEmpty()) {
      return false;
    }
    storeLocked(batch, finished);
    return true;
  }

  /**
   * Stores {@code batch} (emptied on return) as one batch and adds its events to
   * {@code finished}, to be completed after the lock is released.
   */
  private void storeLocked(List<Pending<E, R>> batch, List<Pending<E, R>> finished) {
    try {
      storer.store(batch);
    } catch (RuntimeException | Error e) {
      // Nothing of the batch was acknowledged; its callers must hear so rather than wait forever.
      RuntimeException cause = e instanceof RuntimeException ? (RuntimeException) e : new AuditException("audit writer failed: " + e, e);
      for (Pending<E, R> q : batch) {
        if (q.result == null && q.error == null) {
          q.error = cause;
        }
      }
      if (e instanceof Error) {
        throw (Error) e;
      }
    } finally {
      for (Pending<E, R> q : batch) {
        q.done = true;
        finished.add(q);
      }
      batch.clear();
    }
  }

  /**
   * Completes stored events: futures of asynchronous callers (never under the lock: callbacks
   * run here) and wakes synchronous callers.
   */
  private void complete(List<Pending<E, R>> done) {
    Thread me = Thread.currentThread();
    for (Pending<E, R> p : done) {
      if (p.future == null) {
        if (p.waiter != me) {
          LockSupport.unpark(p.waiter);
        }
        continue;
      }
      try {
        if (p.error != null) {
          p.future.completeExceptionally(notLogged(p.error));
        } else {
          p.future.complete(p.result);
        }
      } finally {
        outstanding.release();
      }
    }
    done.clear();
  }

  private Thread startWriter() {
    synchronized (writerMonitor) {
      if (writer == null && !closing) {
        Thread t = new Thread(this::writerLoop, writerName);
        t.setDaemon(true);
        writer = t;
        t.start();
      }
      return writer;
    }
  }

  /**
   * The writer thread of {@link #appendAsync}: stores whatever is queued, batch after batch, and
   * ends after a while without work (the next appendAsync starts a new one).
   */
  private void writerLoop() {
    List<Pending<E, R>> done = new ArrayList<>();
    long idleSince = System.nanoTime();
    while (true) {
      if (queue.isEmpty()) {
        if (closing || System.nanoTime() - idleSince > IDLE_THREAD_NANOS) {
          synchronized (writerMonitor) {
            writer = null;
            // appendAsync queues, then reads writer: seeing it still set, it relies on this thread.
            if (queue.isEmpty() || closing) {
              return;
            }
            writer = Thread.currentThread();
          }
          continue;
        }
        writerIdle = true;
        if (queue.isEmpty() && !closing) {
          LockSupport.parkNanos(this, IDLE_THREAD_NANOS);
        }
        writerIdle = false;
        continue;
      }
      lock.lock();
      try {
        if (processBatchLocked(done)) {
          storer.afterBatch();
        }
      } catch (Error e) {
        // The batch's callers were failed; keep serving the others.
      } finally {
        unlock();
        complete(done);
      }
      idleSince = System.nanoTime();
    }
  }

  private static boolean allDone(List<? extends Pending<?, ?>> ps) {
    for (Pending<?, ?> p : ps) {
      if (!p.isDone()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Stops accepting appends: ends the writer thread, stores everything still queued, marks the
   * commit closed and runs {@code last} under the lock (once; null if closed already).
   */
  public <T> T close(Supplier<T> last) {
    Thread w;
    synchronized (writerMonitor) {
      closing = true;
      w = writer;
    }
    if (w != null && w != Thread.currentThread()) {
      LockSupport.unpark(w);
      boolean interrupted = false;
      while (w.isAlive()) {
        try {
          w.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    List<Pending<E, R>> asyncDone = new ArrayList<>();
    lock.lock();
    try {
      if (closed) {
        return null;
      }
      while (processBatchLocked(asyncDone)) {
        // Appends that raced with close() are stored, not dropped.
      }
      closed = true;
      return last.get();
    } finally {
      unlock();
      complete(asyncDone);
    }
  }
}
