package dev.bulwark.spring.actuate;

import dev.bulwark.audit.VerificationReport;
import dev.bulwark.crypto.KeyVersion;
import dev.bulwark.crypto.Keyring;
import dev.bulwark.crypto.Keyrings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/bulwark}: read-only. The keyrings with their key versions (state, creation
 * time, encryptions reserved) and the last audit verification report (sizes, finding codes).
 * Never key material: no wrapped or raw key, no key reference, no event content.
 */
@Endpoint(id = "bulwark")
public class BulwarkEndpoint {

  private final Optional<Keyrings> keyrings;
  private final Optional<AuditVerification> verification;

  public BulwarkEndpoint(Optional<Keyrings> keyrings, Optional<AuditVerification> verification) {
    this.keyrings = keyrings;
    this.verification = verification;
  }

  @ReadOperation
  public Map<String, Object> report() {
    Map<String, Object> out = new LinkedHashMap<>();
    keyrings.ifPresent(k -> out.put("keyrings", keyrings(k)));
    verification.ifPresent(v -> out.put("auditVerification", v.last().map(BulwarkEndpoint::report)
        .orElse(Map.of("status", "not verified yet"))));
    return out;
  }

  private static Object keyrings(Keyrings k) {
    Map<String, Object> rings = new LinkedHashMap<>();
    try {
      for (String id : k.keyringIds()) {
        Optional<Keyring> ring = k.existing(id);
        if (ring.isEmpty()) {
          continue;
        }
        Map<String, Object> r = new LinkedHashMap<>();
        Keyring kr = ring.get();
        r.put("shreddedAt", kr.shreddedAt().map(Object::toString).orElse(null));
        if (kr.shreddedAt().isEmpty()) {
          r.put("primaryVersion", kr.primaryVersion());
          r.put("minDecryptableVersion", kr.minDecryptableVersion());
        }
        List<Map<String, Object>> versions = kr.versions().stream().map(BulwarkEndpoint::version).toList();
        r.put("versions", versions);
        rings.put(id, r);
      }
    } catch (Exception e) {
      return Map.of("error", "keyring store unreachable: " + e.getClass().getSimpleName());
    }
    return rings;
  }

  private static Map<String, Object> version(KeyVersion v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", v.version());
    m.put("state", v.state().name());
    m.put("createdAt", v.createdAt().toString());
    m.put("encryptionsReserved", v.encryptionsReserved());
    return m;
  }

  private static Map<String, Object> report(AuditVerification.Result result) {
    VerificationReport r = result.report();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("verifiedAt", result.verifiedAt().toString());
    m.put("origin", r.origin());
    m.put("intact", r.intact());
    m.put("fullyVerified", r.fullyVerified());
    m.put("size", r.size());
    m.put("eventsChecked", r.eventsChecked());
    m.put("lastCheckpointSize", r.lastCheckpointSize());
    m.put("findings", r.findings().stream().limit(100)
        .map(f -> Map.of("code", f.code().name(), "seq", f.seq())).toList());
    m.put("findingCount", r.findings().size());
    m.put("notChecked", r.notChecked());
    return m;
  }
}
