package dev.bulwark.authz;

import java.time.Instant;
import java.util.Optional;

/**
 * Turns an approved just-in-time grant (authn's {@code Grant}, or any other source) into the
 * binding it stands for. The host or the Spring starter implements it and passes approved grants
 * to {@link AccessControl#applyJitGrant}; authz does not depend on authn.
 *
 * <p>MUST NOT return null; return empty for a target it does not know (the grant is then
 * refused). The binding's time window is always replaced by the grant's, so a mapping cannot
 * make a temporary grant permanent. MUST be thread-safe.
 */
@FunctionalInterface
public interface JitGrantMapping {

  /**
   * @param grantId the grant's id (use it as, or in, the binding id)
   * @param subject who was granted access
   * @param target what the grant names, for example {@code role:db-admin@acme}
   */
  Optional<Binding> toBinding(String grantId, String subject, String target);
}
