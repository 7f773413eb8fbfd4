package dev.bulwark.lifecycle;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A legal hold: while active it blocks the purge of every record it covers and the destruction
 * of the covered subject's or tenant's key. Released holds are kept, with who released them and why.
 *
 * @param id the hold's id
 * @param scope what the hold covers
 * @param target the record id, subject id or tenant id the hold names
 * @param dataClass the record's class (or the held class), present exactly when {@code scope} is
 *     {@link Scope#RECORD} or {@link Scope#CLASS}
 * @param reason why the hold exists (a case number, a regulator's request)
 * @param owner who is responsible for the hold (legal counsel, a team)
 * @param placedBy who placed it and why
 * @param placedAt when it was placed
 * @param release present once the hold is released
 */
public record LegalHold(
    UUID id,
    Scope scope,
    String target,
    Optional<DataClass> dataClass,
    String reason,
    String owner,
    Attribution placedBy,
    Instant placedAt,
    Optional<Release> release) {

  /** What a hold covers. */
  public enum Scope {
    /** One record of one data class. */
    RECORD,
    /** Every record whose subject column holds the target. */
    SUBJECT,
    /** Every record whose tenant column holds the target. */
    TENANT,
    /** Every record of one data class (a litigation freeze of the class); the target is the class name. */
    CLASS
  }

  /** The recorded release of a hold. */
  public record Release(Attribution by, Instant at) {
    public Release {
      Objects.requireNonNull(by, "by");
      Objects.requireNonNull(at, "at");
    }
  }

  public LegalHold {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(scope, "scope");
    Text.require(target, "hold target", 256);
    Objects.requireNonNull(dataClass, "dataClass");
    boolean classed = scope == Scope.RECORD || scope == Scope.CLASS;
    if (classed != dataClass.isPresent()) {
      throw new IllegalArgumentException("a data class is required for record and class holds and only for them");
    }
    if (scope == Scope.CLASS && !dataClass.get().name().equals(target)) {
      throw new IllegalArgumentException("a class hold's target is its data class name");
    }
    Text.require(reason, "hold reason", 1000);
    Text.require(owner, "hold owner", 256);
    Objects.requireNonNull(placedBy, "placedBy");
    Objects.requireNonNull(placedAt, "placedAt");
    Objects.requireNonNull(release, "release");
  }

  public boolean active() {
    return release.isEmpty();
  }

  /** True when this hold, if active, covers a record with the given identity. */
  public boolean covers(RecordRef ref, Optional<String> subject, Optional<String> tenant) {
    switch (scope) {
      case RECORD:
        return dataClass.get().equals(ref.dataClass()) && target.equals(ref.id());
      case SUBJECT:
        return subject.map(target::equals).orElse(false);
      case TENANT:
        return tenant.map(target::equals).orElse(false);
      case CLASS:
        return dataClass.get().equals(ref.dataClass());
      default:
        throw new IllegalStateException("unknown scope " + scope);
    }
  }

  public LegalHold released(Release r) {
    return new LegalHold(id, scope, target, dataClass, reason, owner, placedBy, placedAt, Optional.of(r));
  }
}
