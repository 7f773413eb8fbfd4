package dev.bulwark.authz;

import dev.bulwark.authz.internal.PolicyValidator;
import dev.bulwark.authz.spi.AuthzStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The policy's life: loading definitions, binding and unbinding roles, just-in-time bindings,
 * access reviews, and the {@link Authorizer} for the current state. Every change is validated
 * against the stored state and written with a compare-and-set on the store's revision (a
 * concurrent change makes it re-read and re-validate), then reported to the
 * {@link AuthzListener}. A change that fails validation stores nothing and reports nothing.
 *
 * <p>Decisions carry the version {@code <label>@r<revision>}, so the audit trail names the exact
 * state that decided. Thread-safe.
 */
public final class AccessControl {

  private static final int MAX_ATTEMPTS = 16;

  private final AuthzStore store;
  private final Clock clock;
  private final AuthzListener listener;
  private volatile Authorizer current;

  private AccessControl(Builder b) {
    this.store = b.store;
    this.clock = b.clock;
    this.listener = b.listener;
  }

  public static Builder builder(AuthzStore store) {
    return new Builder(store);
  }

  /** Settings of an {@link AccessControl}; only the store is required. */
  public static final class Builder {
    private final AuthzStore store;
    private Clock clock = Clock.systemUTC();
    private AuthzListener listener = AuthzListener.NONE;

    private Builder(AuthzStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    public Builder listener(AuthzListener l) {
      this.listener = Objects.requireNonNull(l, "listener");
      return this;
    }

    public AccessControl build() {
      AccessControl ac = new AccessControl(this);
      ac.refresh();
      return ac;
    }
  }

  /** The authorizer for the state last read or written by this instance. */
  public Authorizer authorizer() {
    return current;
  }

  /**
   * Re-reads the store (changes made by other nodes) and compiles it. Stored definitions that
   * no longer validate (edited behind Bulwark's back) yield an authorizer that denies everything.
   */
  public Authorizer refresh() {
    AuthzStore.Snapshot s = store.read();
    current = compile(s);
    return current;
  }

  private Authorizer compile(AuthzStore.Snapshot s) {
    String version = s.policy().version() + "@r" + s.revision();
    try {
      return Authorizer.compile(s.policy().withVersion(version), clock);
    } catch (PolicyException e) {
      try {
        return Authorizer.compile(Policy.empty(version + " (invalid, everything denied)"), clock);
      } catch (PolicyException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
  }

  @FunctionalInterface
  private interface Change {
    OptionalLong apply(AuthzStore.Snapshot s) throws PolicyException;
  }

  private long change(Change c) throws PolicyException {
    for (int i = 0; i < MAX_ATTEMPTS; i++) {
      AuthzStore.Snapshot s = store.read();
      OptionalLong next = c.apply(s);
      if (next.isPresent()) {
        current = compile(store.read());
        return next.getAsLong();
      }
    }
    throw new IllegalStateException("the policy store kept changing; gave up after " + MAX_ATTEMPTS + " attempts");
  }

  private void emit(AuthzEvent.Type type, String actor, String subject, String detail, long revision) {
    try {
      listener.onEvent(new AuthzEvent(type, actor, subject, detail, clock.instant(), revision));
    } catch (RuntimeException e) {
      throw new IllegalStateException("the authz listener failed (the change is stored)", e);
    }
  }

  /**
   * Replaces the definitions with {@code policy}'s and stores its bindings (others stay). Refused,
   * with nothing stored, when the policy does not validate or when a stored binding would name a
   * role or group the new definitions drop. Read files with {@link PolicyJson#parse}.
   */
  public long loadPolicy(Policy policy, String actor) throws PolicyException {
    Objects.requireNonNull(policy, "policy");
    Names.requireText(actor, "actor");
    PolicyValidator.validate(policy);
    long revision = change(s -> {
      Set<String> fromFile = new HashSet<>();
      policy.bindings().forEach(b -> fromFile.add(b.id()));
      List<Binding> kept = new ArrayList<>();
      for (Binding b : s.policy().bindings()) {
        if (!fromFile.contains(b.id())) {
          kept.add(b);
        }
      }
      for (int i = 0; i < kept.size(); i++) {
        try {
          PolicyValidator.validateBinding(policy, kept.get(i), "bindings[" + i + "]");
        } catch (PolicyException e) {
          throw new PolicyException("stored binding '" + kept.get(i).id() + "' would become invalid: "
              + e.getMessage(), "bindings", 0, 0);
        }
      }
      return store.replaceDefinitions(policy, s.revision());
    });
    emit(AuthzEvent.Type.POLICY_LOADED, actor, policy.version(), "policy " + policy.version() + " loaded: "
        + policy.roles().size() + " roles, " + policy.denies().size() + " deny rules, " + policy.bindings().size()
        + " bindings from the file", revision);
    return revision;
  }

  /** Stores a binding (replacing one with the same id) after checking it against the definitions. */
  public Binding bind(Binding binding, String actor) throws PolicyException {
    Objects.requireNonNull(binding, "binding");
    Names.requireText(actor, "actor");
    long revision = change(s -> {
      PolicyValidator.validateBinding(s.policy(), binding, "binding");
      return store.putBinding(binding, s.revision());
    });
    emit(AuthzEvent.Type.BINDING_ADDED, actor, binding.id(), describe(binding), revision);
    return binding;
  }

  /** Removes a binding; false if there is none with that id. */
  public boolean unbind(String bindingId, String actor) {
    Objects.requireNonNull(bindingId, "bindingId");
    Names.requireText(actor, "actor");
    Binding[] removed = new Binding[1];
    long revision;
    try {
      revision = change(s -> {
        removed[0] = find(s, bindingId).orElse(null);
        if (removed[0] == null) {
          return OptionalLong.of(-1);
        }
        return store.removeBinding(bindingId, s.revision());
      });
    } catch (PolicyException e) {
      throw new IllegalStateException(e);
    }
    if (revision < 0) {
      return false;
    }
    emit(AuthzEvent.Type.BINDING_REMOVED, actor, bindingId, describe(removed[0]), revision);
    return true;
  }

  /**
   * Turns an approved just-in-time grant into a binding valid exactly from {@code activeFrom}
   * until {@code activeUntil}, whatever window the mapping returned.
   *
   * @throws PolicyException if the mapping knows no binding for the target, or the binding does
   *     not validate
   */
  public Binding applyJitGrant(JitGrantMapping mapping, String grantId, String subject, String target,
      Instant activeFrom, Instant activeUntil, String actor) throws PolicyException {
    Objects.requireNonNull(mapping, "mapping");
    Optional<Binding> mapped = mapping.toBinding(grantId, subject, target);
    Objects.requireNonNull(mapped, "the mapping returned null");
    if (mapped.isEmpty()) {
      throw new PolicyException("no binding for just-in-time grant target '" + target + "'", "grant " + grantId, 0, 0);
    }
    return bind(mapped.get().withWindow(activeFrom, activeUntil), actor);
  }

  /** Bindings whose review date is at or before {@code horizon} (lapsed ones included), soonest first. */
  public List<Binding> reviewsDue(Instant horizon) {
    Objects.requireNonNull(horizon, "horizon");
    return store.read().policy().bindings().stream()
        .filter(b -> b.reviewBy().isPresent() && !b.reviewBy().get().isAfter(horizon))
        .sorted(Comparator.comparing((Binding b) -> b.reviewBy().get()).thenComparing(Binding::id))
        .toList();
  }

  /**
   * Records that {@code reviewer} certified the binding and moves its review date to
   * {@code nextReviewBy}; a lapsed binding becomes effective again.
   *
   * @throws IllegalArgumentException if the reviewer is the binding's own principal, the binding
   *     does not exist, or the date is not in the future
   */
  public Binding certify(String bindingId, String reviewer, Instant nextReviewBy, String note) {
    Names.requireText(reviewer, "reviewer");
    Objects.requireNonNull(nextReviewBy, "nextReviewBy");
    Instant now = clock.instant();
    if (!nextReviewBy.isAfter(now)) {
      throw new IllegalArgumentException("the next review date must be in the future");
    }
    Binding[] updated = new Binding[1];
    long revision;
    try {
      revision = change(s -> {
        Binding b = find(s, bindingId).orElseThrow(() -> new IllegalArgumentException("no binding " + bindingId));
        requireIndependent(b, reviewer);
        updated[0] = b.withReviewBy(nextReviewBy);
        return store.putBinding(updated[0], s.revision());
      });
    } catch (PolicyException e) {
      throw new IllegalStateException(e);
    }
    store.appendReview(new Review(bindingId, Review.Outcome.CERTIFIED, reviewer, note, now, Optional.of(nextReviewBy)));
    emit(AuthzEvent.Type.BINDING_CERTIFIED, reviewer, bindingId, describe(updated[0]) + " certified until "
        + nextReviewBy + ": " + note, revision);
    return updated[0];
  }

  /** Records that {@code reviewer} revoked the binding and removes it. */
  public void revoke(String bindingId, String reviewer, String note) {
    Names.requireText(reviewer, "reviewer");
    Binding[] removed = new Binding[1];
    long revision;
    try {
      revision = change(s -> {
        removed[0] = find(s, bindingId).orElseThrow(() -> new IllegalArgumentException("no binding " + bindingId));
        requireIndependent(removed[0], reviewer);
        return store.removeBinding(bindingId, s.revision());
      });
    } catch (PolicyException e) {
      throw new IllegalStateException(e);
    }
    store.appendReview(new Review(bindingId, Review.Outcome.REVOKED, reviewer, note, clock.instant(),
        Optional.empty()));
    emit(AuthzEvent.Type.BINDING_REVOKED, reviewer, bindingId, describe(removed[0]) + " revoked: " + note, revision);
  }

  /** The review record of a binding, oldest first. */
  public List<Review> reviews(String bindingId) {
    return store.reviews(bindingId);
  }

  private static void requireIndependent(Binding b, String reviewer) {
    if (reviewer.equals(b.principal().id()) || reviewer.equals(b.principal().toString())) {
      throw new IllegalArgumentException("a principal cannot review its own binding");
    }
  }

  private static Optional<Binding> find(AuthzStore.Snapshot s, String id) {
    return s.policy().bindings().stream().filter(b -> b.id().equals(id)).findFirst();
  }

  private static String describe(Binding b) {
    return "role " + b.role() + " for " + b.principal() + " in organization " + b.tenant() + " (" + b.scope() + ")"
        + b.notBefore().map(t -> " from " + t).orElse("") + b.notAfter().map(t -> " until " + t).orElse("")
        + b.reviewBy().map(t -> " review by " + t).orElse("");
  }
}
