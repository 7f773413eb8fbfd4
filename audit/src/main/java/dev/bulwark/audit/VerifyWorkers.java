package dev.bulwark.audit;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * The verification's helper threads (one fewer than the processors; none on one processor or
 * for small logs). A task not yet started when its result is needed runs on the caller, so the
 * scanning thread never waits idle.
 */
final class VerifyWorkers {
  private final int threads = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
  private ExecutorService pool;

  int window() {
    return 2 * threads + 2;
  }

  <T> Future<T> submit(boolean parallel, Callable<T> task) {
    FutureTask<T> f = new FutureTask<>(task);
    start(parallel, f);
    return f;
  }

  <T> Future<T> submit(boolean parallel, Runnable task, T result) {
    FutureTask<T> f = new FutureTask<>(task, result);
    start(parallel, f);
    return f;
  }

  /** Runs {@code task} on a helper thread, if there are any (callers run it otherwise). */
  void execute(Runnable task) {
    start(true, task);
  }

  private void start(boolean parallel, Runnable f) {
    if (parallel && threads > 0) {
      if (pool == null) {
        pool = Executors.newFixedThreadPool(threads, r -> {
          Thread t = new Thread(r, "bulwark-audit-verifier");
          t.setDaemon(true);
          return t;
        });
      }
      pool.execute(f);
    }
  }

  <T> T join(Future<T> f) {
    if (f instanceof FutureTask && !f.isDone()) {
      ((FutureTask<T>) f).run(); // not started yet (or never handed to the pool): run it here
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof RuntimeException) {
            throw (RuntimeException) c;
          }
          if (c instanceof Error) {
            throw (Error) c;
          }
          throw new AuditException("verification failed: " + c, c);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  void shutdown() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
