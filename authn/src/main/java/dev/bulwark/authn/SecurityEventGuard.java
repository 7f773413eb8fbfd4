package dev.bulwark.authn;

import dev.bulwark.common.event.GuardedDelivery;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Wraps the listener that records security events (typically an audit-log append) so that its
 * failures are never silent: each one is counted ({@link #failures()}), handed to a fallback the
 * host chooses (a second log, an alert), and, if the host asks for it, turns into a refusal of the
 * operation that emitted the event ({@link SecurityEventNotRecordedException}).
 *
 * <pre>{@code
 * import dev.bulwark.audit.AuditEvents;
 * import dev.bulwark.audit.AuditLog;
 * import dev.bulwark.authn.flow.LoginFlow;
 * import dev.bulwark.authn.flow.spi.AccountDirectory;
 * import dev.bulwark.authn.lockout.Lockout;
 * import dev.bulwark.authn.password.PasswordHasher;
 *
 * // Given: AuditLog auditLog, BiConsumer<String, RuntimeException> pager
 * // Given: AccountDirectory accounts, PasswordHasher hasher, Lockout lockout
 * SecurityEventGuard audit = SecurityEventGuard.builder(e -> auditLog.append(AuditEvents.toAuditEvent(
 *         e.type(), e.subject(), e.occurredAt(), e.source(), e.details())))
 *     .fallback((event, failure) -> pager.accept("audit down", failure))
 *     .failClosed(true)            // a login whose event cannot be written does not succeed
 *     .build();
 * LoginFlow flow = LoginFlow.builder(accounts, hasher, lockout).listener(audit).build();
 * }</pre>
 *
 * <p>A component given a plain listener (not a guard) still never swallows its failure silently:
 * it reports it through {@link System.Logger} ({@code dev.bulwark.authn}, level ERROR) and keeps
 * the outcome of the operation (fail-open).
 *
 * <p>The delivery itself (count, fallback, fail-closed verdict) is bulwark-common's
 * {@link GuardedDelivery}, the engine behind every module's event guard.
 *
 * <p>Thread-safe if the delegate and the fallback are.
 */
public final class SecurityEventGuard implements SecurityEventListener {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.authn");

  /** The default fallback: one ERROR line through {@link System.Logger} with the failure attached. */
  public static final BiConsumer<SecurityEvent, RuntimeException> LOG_FALLBACK = (event, failure) ->
      LOG.log(System.Logger.Level.ERROR, "security event '" + event.type() + "' was not recorded by its listener",
          failure);

  private final GuardedDelivery<SecurityEvent> delivery;

  private SecurityEventGuard(Builder b) {
    SecurityEventListener delegate = b.delegate;
    BiConsumer<SecurityEvent, RuntimeException> fallback = b.fallback;
    // The delegate is a SecurityEventListener, so what it throws is unchecked.
    this.delivery = GuardedDelivery.of(delegate::onEvent,
        (event, failure) -> fallback.accept(event, (RuntimeException) failure), b.failClosed);
  }

  /** Starts a guard around {@code delegate}; defaults: {@link #LOG_FALLBACK}, fail-open. */
  public static Builder builder(SecurityEventListener delegate) {
    return new Builder(delegate);
  }

  /**
   * Delivers {@code event} to the delegate. If the delegate throws: counts, calls the fallback
   * (its own exception is attached as suppressed, never thrown), then returns (fail-open) or
   * throws {@link SecurityEventNotRecordedException} (fail-closed).
   */
  @Override
  public void onEvent(SecurityEvent event) {
    Exception failure = delivery.deliver(event);
    if (failure != null && delivery.failClosed()) {
      throw new SecurityEventNotRecordedException(event.type(), (RuntimeException) failure);
    }
  }

  /** How many events the delegate failed to take since this guard was built. */
  public long failures() {
    return delivery.failures();
  }

  /** Whether a failed delivery refuses the operation. */
  public boolean failClosed() {
    return delivery.failClosed();
  }

  @Override
  public String toString() {
    return "SecurityEventGuard[failClosed=" + failClosed() + ", failures=" + failures() + "]";
  }

  /** Configures a {@link SecurityEventGuard}. */
  public static final class Builder {
    private final SecurityEventListener delegate;
    private BiConsumer<SecurityEvent, RuntimeException> fallback = LOG_FALLBACK;
    private boolean failClosed;

    private Builder(SecurityEventListener delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** Called with the event and the delegate's failure, on the emitting thread. */
    public Builder fallback(BiConsumer<SecurityEvent, RuntimeException> fallback) {
      this.fallback = Objects.requireNonNull(fallback, "fallback");
      return this;
    }

    /**
     * When true, an event the delegate cannot take refuses the operation that emitted it: the
     * component throws {@link SecurityEventNotRecordedException} instead of returning its result.
     */
    public Builder failClosed(boolean failClosed) {
      this.failClosed = failClosed;
      return this;
    }

    public SecurityEventGuard build() {
      return new SecurityEventGuard(this);
    }
  }
}
