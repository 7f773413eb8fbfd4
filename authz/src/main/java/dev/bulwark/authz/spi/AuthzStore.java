package dev.bulwark.authz.spi;

import dev.bulwark.authz.Binding;
import dev.bulwark.authz.InMemoryAuthzStore;
import dev.bulwark.authz.Policy;
import dev.bulwark.authz.Review;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Where the policy definitions, the bindings and the review record live. Every write names the
 * revision it was validated against and succeeds only if that is still the current revision
 * (compare-and-set), so validation and write are atomic across application nodes.
 *
 * <p>Implementations MUST be thread-safe, MUST NOT return null, and MUST leave everything as it
 * was when a write fails or is refused. A store that cannot reach its data throws
 * {@link dev.bulwark.authz.AuthzStoreException}; exceptions reach the caller of
 * {@code AccessControl} unchanged.
 */
public interface AuthzStore {

  /** The stored policy (its {@code version} is the definitions' label) and its revision. */
  record Snapshot(Policy policy, long revision) {
    public Snapshot {
      Objects.requireNonNull(policy, "policy");
    }
  }

  /** Everything, consistently; revision 0 and an empty policy for a new store. */
  Snapshot read();

  /**
   * Replaces the definitions (version, types, roles, groups, deny rules) with those of
   * {@code policy} and inserts or replaces its bindings by id (other bindings stay).
   *
   * @return the new revision, or empty if the current revision is not {@code expectedRevision}
   */
  OptionalLong replaceDefinitions(Policy policy, long expectedRevision);

  /** Inserts or replaces (by id) one binding; the new revision, or empty on a revision conflict. */
  OptionalLong putBinding(Binding binding, long expectedRevision);

  /** Removes one binding; the new revision, or empty on a conflict or when there is no such binding. */
  OptionalLong removeBinding(String bindingId, long expectedRevision);

  /** Appends to the review record (kept after the binding is gone). */
  void appendReview(Review review);

  /** The review record of one binding, oldest first. */
  List<Review> reviews(String bindingId);

  /** A store in this JVM's memory, for tests and single-process hosts: nothing survives a restart. */
  static AuthzStore inMemory() {
    return new InMemoryAuthzStore();
  }
}
