package dev.bulwark.common.internal.jdbc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Runs concurrent requests against a database in groups: a request that arrives while other
 * requests' statements are in flight waits, and the next free runner sends every waiting request
 * it can in one statement. Under load, N logins cost a handful of statements and commits instead
 * of N; alone, a request runs at once on its caller's thread, as if there were no coalescer.
 *
 * <p>How it works: a request joins a queue, then its thread tries to become one of at most
 * {@code maxInFlight} runners. A runner takes up to {@code maxKeys} keys' worth of waiting
 * requests, splits them into groups whose requests share no key (a statement can change a row once;
 * two requests on one key go to successive groups, in arrival order), runs the groups one after
 * the other through the {@link Runner}, and wakes each request's thread with its result. A thread
 * that cannot become a runner parks until its result arrives or a runner slot frees. There is no
 * timer and no background thread: nothing waits for a group to fill.
 *
 * <p>Atomicity is the runner's: each group is one statement, so the requests of a group are
 * decided together against the committed state, and the groups of one runner in sequence. What
 * holds for one request per statement (exact counts across nodes, lock order) holds per group.
 *
 * <p>Failure: when a group's run throws, every request of that group gets the exception (the same
 * instance, rethrown on each caller's thread); the other groups are unaffected. A waiting thread's
 * interrupt is kept and restored when its result arrives (the request may already be in a
 * statement, so it cannot be withdrawn). Thread-safe.
 *
 * @param <T> a request
 * @param <R> its result
 */
public final class Coalescer<T, R> {

  /** Runs one group of requests that share no key, as one atomic step. */
  @FunctionalInterface
  public interface Runner<T, R> {
    /**
     * Runs {@code group} and returns one result per request, in the same order.
     *
     * @throws RuntimeException to fail every request of the group
     */
    List<R> run(List<T> group);
  }

  /**
   * A waiting thread is woken when its result arrives or, when it is the oldest waiting, when a
   * runner slot frees; it also checks this often on its own, so a wake-up lost to a bug in that
   * reasoning could cost latency but never hang a login.
   */
  private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final ConcurrentLinkedQueue<Request<T, R>> queue = new ConcurrentLinkedQueue<>();
  private final Semaphore runners;
  private final int maxKeys;
  private final Function<? super T, ? extends List<String>> keysOf;
  private final Runner<T, R> runner;

  /**
   * @param maxInFlight how many groups may be in flight at once (at most this many connections)
   * @param maxKeys the most keys one group holds (a request with more runs alone)
   * @param keysOf the keys a request touches, distinct
   * @param runner runs a group
   * @throws IllegalArgumentException if {@code maxInFlight} or {@code maxKeys} is below 1
   */
  public Coalescer(int maxInFlight, int maxKeys, Function<? super T, ? extends List<String>> keysOf,
      Runner<T, R> runner) {
    if (maxInFlight < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("maxInFlight and maxKeys must be at least 1");
    }
    this.runners = new Semaphore(maxInFlight);
    this.maxKeys = maxKeys;
    this.keysOf = Objects.requireNonNull(keysOf, "keysOf");
    this.runner = Objects.requireNonNull(runner, "runner");
  }

  /**
   * Runs {@code request} in the next group that takes it and returns its result.
   *
   * @throws RuntimeException what the group's run threw
   * @throws Error what the group's run threw
   */
  public R submit(T request) {
    Request<T, R> r = new Request<>(Objects.requireNonNull(request, "request"), List.copyOf(keysOf.apply(request)),
        Thread.currentThread());
    queue.add(r);
    boolean interrupted = false;
    try {
      while (r.done == null) {
        if (runners.tryAcquire()) {
          try {
            runWaiting();
          } finally {
            runners.release();
          }
          // A request that queued while every slot was taken may be parked: wake the oldest one
          // so that it becomes a runner now.
          Request<T, R> head = queue.peek();
          if (head != null) {
            LockSupport.unpark(head.thread);
          }
        } else {
          LockSupport.parkNanos(this, PARK_NANOS);
          if (Thread.interrupted()) {
            interrupted = true;
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return r.outcome();
  }

  /** Takes up to {@code maxKeys} keys' worth of waiting requests and runs them in groups. */
  private void runWaiting() {
    List<Request<T, R>> taken = new ArrayList<>();
    int keys = 0;
    Request<T, R> next;
    while (keys < maxKeys && (next = queue.poll()) != null) {
      taken.add(next);
      keys += next.keys.size();
    }
    if (taken.isEmpty()) {
      return;
    }
    List<List<Request<T, R>>> groups = groups(taken);
    int g = 0;
    try {
      for (; g < groups.size(); g++) {
        run(groups.get(g));
      }
    } catch (Error e) {
      for (int rest = g + 1; rest < groups.size(); rest++) {
        for (Request<T, R> r : groups.get(rest)) {
          r.complete(null, e);
        }
      }
      throw e;
    }
  }

  /**
   * Splits requests into groups that share no key and hold at most {@code maxKeys} keys (a
   * larger request alone), keeping arrival order per key: a request goes into the first group
   * after every group holding one of its keys that has room.
   */
  private List<List<Request<T, R>>> groups(List<Request<T, R>> taken) {
    List<List<Request<T, R>>> groups = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    Map<String, Integer> lastGroupOf = new HashMap<>();
    for (Request<T, R> r : taken) {
      int from = 0;
      for (String k : r.keys) {
        Integer g = lastGroupOf.get(k);
        if (g != null && g + 1 > from) {
          from = g + 1;
        }
      }
      int g = from;
      while (g < groups.size() && sizes.get(g) + r.keys.size() > maxKeys) {
        g++;
      }
      if (g == groups.size()) {
        groups.add(new ArrayList<>());
        sizes.add(0);
      }
      groups.get(g).add(r);
      sizes.set(g, sizes.get(g) + r.keys.size());
      for (String k : r.keys) {
        lastGroupOf.put(k, g);
      }
    }
    return groups;
  }

  private void run(List<Request<T, R>> group) {
    List<T> values = new ArrayList<>(group.size());
    for (Request<T, R> r : group) {
      values.add(r.value);
    }
    List<R> results;
    try {
      results = runner.run(values);
      if (results == null || results.size() != group.size()) {
        throw new IllegalStateException("a coalesced run returned " + (results == null ? "null" : results.size()
            + " results") + " for " + group.size() + " requests");
      }
    } catch (RuntimeException | Error e) {
      for (Request<T, R> r : group) {
        r.complete(null, e);
      }
      if (e instanceof Error) {
        throw (Error) e;
      }
      return;
    }
    for (int i = 0; i < group.size(); i++) {
      group.get(i).complete(results.get(i), null);
    }
  }

  private static final class Request<T, R> {
    final T value;
    final List<String> keys;
    final Thread thread;
    R result;
    Throwable failure;
    /** Non-null once completed; written last, so the fields above are visible when it is seen. */
    volatile Boolean done;

    Request(T value, List<String> keys, Thread thread) {
      this.value = value;
      this.keys = keys;
      this.thread = thread;
    }

    void complete(R result, Throwable failure) {
      this.result = result;
      this.failure = failure;
      this.done = Boolean.TRUE;
      if (thread != Thread.currentThread()) {
        LockSupport.unpark(thread);
      }
    }

    R outcome() {
      if (failure instanceof RuntimeException) {
        throw (RuntimeException) failure;
      }
      if (failure instanceof Error) {
        throw (Error) failure;
      }
      return result;
    }
  }
}
