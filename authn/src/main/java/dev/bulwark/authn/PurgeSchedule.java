package dev.bulwark.authn;

import dev.bulwark.authn.grant.Grants;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.authn.session.jdbc.JdbcSessionStore;
import dev.bulwark.authn.totp.jdbc.JdbcUsedTotpStepStore;
import dev.bulwark.authn.webauthn.jdbc.JdbcChallengeStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * One scheduler for every store with expiring rows: lockout attempts, WebAuthn challenges,
 * sessions, used TOTP steps, and just-in-time grants (whose due ones are moved to
 * {@code EXPIRED}, never deleted: a grant is evidence). Without it the tables of a database
 * deployment grow with every login attempt, even unauthenticated ones.
 *
 * <pre>{@code
 * // Given: JdbcAttemptStore attemptStore, JdbcChallengeStore challengeStore, JdbcSessionStore sessionStore
 * // Given: JdbcUsedTotpStepStore usedStepStore, Grants grants, System.Logger log
 * PurgeSchedule purge = PurgeSchedule.builder()
 *     .attempts(attemptStore).challenges(challengeStore).sessions(sessionStore)
 *     .totpSteps(usedStepStore).grants(grants)
 *     .every(Duration.ofMinutes(5))
 *     .onError((task, e) -> log.log(System.Logger.Level.WARNING, "purge of " + task + " failed", e))
 *     .build();
 * purge.start();          // one daemon thread; purge.close() on shutdown
 * }</pre>
 *
 * <p>The in-memory stores expire their entries themselves and need no task. Each run calls every
 * task once; a task that throws is reported to {@link Builder#onError} (by default to the
 * {@code System.Logger} of this class, at WARNING) and counted, and the others still run.
 * Thread-safe.
 */
public final class PurgeSchedule implements AutoCloseable {

  /** Deletes (or closes) what has expired at {@code now}; returns how many rows it touched. */
  @FunctionalInterface
  public interface Task {
    int purge(Instant now);
  }

  private final Map<String, Task> tasks;
  private final Duration every;
  private final InstantSource clock;
  private final BiConsumer<String, RuntimeException> onError;
  private final AtomicLong failures = new AtomicLong();
  private ScheduledExecutorService executor;
  private boolean closed;

  private PurgeSchedule(Builder b) {
    this.tasks = Collections.unmodifiableMap(new LinkedHashMap<>(b.tasks));
    this.every = b.every;
    this.clock = b.clock;
    this.onError = b.onError;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs every task once, now, on the calling thread. Returns how many rows each task touched,
   * by task name; a task that failed is missing from the answer and was reported to the error
   * handler.
   */
  public Map<String, Integer> runOnce() {
    Instant now = clock.instant();
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Map.Entry<String, Task> t : tasks.entrySet()) {
      try {
        out.put(t.getKey(), t.getValue().purge(now));
      } catch (RuntimeException e) {
        failures.incrementAndGet();
        try {
          onError.accept(t.getKey(), e);
        } catch (RuntimeException ignored) {
          // The handler's own failure must not stop the other tasks; the count above records it.
        }
      }
    }
    return out;
  }

  /** Task runs that failed since this schedule was built. */
  public long failures() {
    return failures.get();
  }

  /** The tasks, by name, in the order they run. */
  public Map<String, Task> tasks() {
    return tasks;
  }

  /**
   * Runs {@link #runOnce} now and then every {@link Builder#every} on one daemon thread.
   *
   * @throws IllegalStateException if already started or closed
   */
  public synchronized void start() {
    if (executor != null || closed) {
      throw new IllegalStateException(closed ? "closed" : "already started");
    }
    executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bulwark-authn-purge");
      t.setDaemon(true);
      return t;
    });
    executor.scheduleWithFixedDelay(this::runOnce, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops the schedule (a run in progress finishes); it cannot be started again. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    if (executor != null) {
      executor.shutdown();
    }
  }

  @Override
  public String toString() {
    return "PurgeSchedule" + tasks.keySet() + " every " + every;
  }

  /** Configures a {@link PurgeSchedule}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private Duration every = Duration.ofMinutes(5);
    private InstantSource clock = Clock.systemUTC();
    private BiConsumer<String, RuntimeException> onError = (task, e) -> System.getLogger(PurgeSchedule.class.getName())
        .log(System.Logger.Level.WARNING, "purge task " + task + " failed", e);

    private Builder() {}

    /** Adds a task under a name of its own. */
    public Builder task(String name, Task task) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(task, "task");
      if (tasks.putIfAbsent(name, task) != null) {
        throw new IllegalArgumentException("two purge tasks named " + name);
      }
      return this;
    }

    /** Expired lockout counters ({@link JdbcAttemptStore#purgeExpired()}). */
    public Builder attempts(JdbcAttemptStore store) {
      Objects.requireNonNull(store, "store");
      return task("attempts", now -> store.purgeExpired());
    }

    /** Expired or abandoned WebAuthn ceremonies ({@link JdbcChallengeStore#purgeExpired}). */
    public Builder challenges(JdbcChallengeStore store) {
      Objects.requireNonNull(store, "store");
      return task("challenges", store::purgeExpired);
    }

    /** Sessions past their idle or absolute deadline ({@link JdbcSessionStore#purgeExpired}). */
    public Builder sessions(JdbcSessionStore store) {
      Objects.requireNonNull(store, "store");
      return task("sessions", store::purgeExpired);
    }

    /** Used TOTP steps past their replay window ({@link JdbcUsedTotpStepStore#purgeExpired()}). */
    public Builder totpSteps(JdbcUsedTotpStepStore store) {
      Objects.requireNonNull(store, "store");
      return task("totp_steps", now -> store.purgeExpired());
    }

    /** Grants whose window or request has run out become {@code EXPIRED} ({@link Grants#expireDue()}). */
    public Builder grants(Grants grants) {
      Objects.requireNonNull(grants, "grants");
      return task("grants", now -> grants.expireDue());
    }

    /** How long to wait between runs (default 5 minutes, at least one second). */
    public Builder every(Duration every) {
      Objects.requireNonNull(every, "every");
      if (every.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("every must be at least one second");
      }
      this.every = every;
      return this;
    }

    /** The clock whose {@code now} is handed to the tasks. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Called with the task's name and its exception when a task fails. */
    public Builder onError(BiConsumer<String, RuntimeException> onError) {
      this.onError = Objects.requireNonNull(onError, "onError");
      return this;
    }

    /** @throws IllegalStateException if no task was added */
    public PurgeSchedule build() {
      if (tasks.isEmpty()) {
        throw new IllegalStateException("a purge schedule needs at least one task");
      }
      return new PurgeSchedule(this);
    }
  }
}
