package dev.bulwark.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PolicyJsonTest {

  static final String GOOD = String.join("\n",
      "{",
      "  \"version\": \"2026-12-01.1\",",
      "  \"resourceTypes\": { \"document\": [\"read\", \"write\", \"delete\"], \"folder\": [\"read\"] },",
      "  \"roles\": {",
      "    \"viewer\": { \"permissions\": [\"document:read\", \"folder:read\"] },",
      "    \"editor\": { \"permissions\": [\"document:write\"], \"inherits\": [\"viewer\"] }",
      "  },",
      "  \"groups\": { \"engineering\": [\"user:alice\", \"service:ci\"] },",
      "  \"denies\": [",
      "    { \"id\": \"no-legal\", \"principal\": \"group:engineering\", \"permission\": \"document:delete\",",
      "      \"tenant\": \"acme\", \"scope\": { \"subtree\": \"folder:legal\" } }",
      "  ],",
      "  \"bindings\": [",
      "    { \"id\": \"b1\", \"principal\": \"user:alice\", \"role\": \"editor\", \"tenant\": \"acme\",",
      "      \"scope\": \"organization\", \"reviewBy\": \"2027-03-01T00:00:00Z\" },",
      "    { \"id\": \"b2\", \"principal\": \"user:bob\", \"role\": \"viewer\", \"tenant\": \"acme\",",
      "      \"scope\": { \"resource\": \"document:x'); DROP TABLE notes; --\" },",
      "      \"notBefore\": \"2026-12-01T09:00:00Z\", \"notAfter\": \"2026-12-01T17:00:00Z\" }",
      "  ]",
      "}");

  @Test
  void parse_readsEveryPart_andWriteRoundTrips() throws Exception {
    Policy p = PolicyJson.parse(GOOD);
    assertEquals("2026-12-01.1", p.version());
    assertEquals(2, p.roles().size());
    assertEquals(2, p.bindings().size());
    assertEquals(Scope.resource("document", "x'); DROP TABLE notes; --"), p.bindings().get(1).scope());
    assertEquals(Instant.parse("2027-03-01T00:00:00Z"), p.bindings().get(0).reviewBy().orElseThrow());
    Policy again = PolicyJson.parse(PolicyJson.write(p));
    assertEquals(p, again);
    assertEquals(PolicyJson.write(p), PolicyJson.write(again));
    Authorizer a = Authorizer.compile(p, java.time.Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"),
        java.time.ZoneOffset.UTC));
    assertTrue(a.check(Principal.user("bob"), "read",
        Resource.of("acme", "document", "x'); DROP TABLE notes; --")).allowed());
  }

  private static PolicyException bad(String json) {
    return assertThrows(PolicyException.class, () -> PolicyJson.parse(json));
  }

  @Test
  void unknownPermission_isReportedWithTheLineOfTheRole() {
    PolicyException e = bad(GOOD.replace("\"document:write\"]", "\"document:share\"]"));
    assertEquals(6, e.line(), e.getMessage());
    assertTrue(e.getMessage().contains("unknown permission 'document:share'"), e.getMessage());
  }

  @Test
  void cycle_isReportedWithALine() {
    PolicyException e = bad(GOOD.replace("\"viewer\": { \"permissions\": [\"document:read\", \"folder:read\"] }",
        "\"viewer\": { \"permissions\": [\"document:read\"], \"inherits\": [\"editor\"] }"));
    assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    assertTrue(e.line() == 5 || e.line() == 6, e.getMessage());
  }

  @Test
  void bindingToUnknownRole_isRejectedInAFile() {
    PolicyException e = bad(GOOD.replace("\"role\": \"viewer\"", "\"role\": \"auditor\""));
    assertEquals("bindings[1].role", e.path());
    assertEquals(16, e.line(), e.getMessage());
  }

  @Test
  void malformedJson_unknownKeys_duplicateKeys_badValues_haveLines() {
    assertEquals(3, bad("{\n \"version\": \"1\",\n \"roles\": {,}\n}").line());
    PolicyException unknown = bad(GOOD.replace("\"groups\"", "\"grups\""));
    assertEquals(8, unknown.line());
    assertTrue(unknown.getMessage().contains("unknown key 'grups'"));
    PolicyException dup = bad("{\"version\": \"1\",\n\"version\": \"2\"}");
    assertEquals(2, dup.line());
    assertEquals(18, bad(GOOD.replace("2026-12-01T09:00:00Z", "yesterday")).line());
    assertEquals(14, bad(GOOD.replace("\"principal\": \"user:alice\", \"role\"", "\"principal\": \"robot:x\", \"role\""))
        .line());
    bad("{}");
    bad("[]");
    bad("{\"version\": \"1\"} {}");
    bad("{\"version\": \"1\", \"roles\": {\"Bad Name\": {}}}");
    bad("{\"version\": \"1\", \"bindings\": [{\"id\": \"b\"}]}");
    bad("{\"version\": \"1\", \"resourceTypes\": {\"d\": [\"a\", \"a\"]}}");
  }

  @Test
  void deepNestingAndOversizedFiles_areRefused() throws Exception {
    bad("{\"version\": \"1\", \"roles\": " + "[".repeat(100) + "]".repeat(100) + "}");
    byte[] huge = new byte[PolicyJson.MAX_BYTES + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyJson.parse(new ByteArrayInputStream(huge)));
    assertTrue(e.getMessage().contains("larger"));
  }

  @Test
  void tooManyRoles_isRefused() {
    StringBuilder sb = new StringBuilder("{\"version\": \"1\", \"resourceTypes\": {\"d\": [\"r\"]}, \"roles\": {");
    for (int i = 0; i <= dev.bulwark.authz.internal.PolicyValidator.MAX_ROLES; i++) {
      sb.append(i == 0 ? "" : ",").append("\"r").append(i).append("\": {\"permissions\": [\"d:r\"]}");
    }
    sb.append("}}");
    PolicyException e = bad(sb.toString());
    assertTrue(e.getMessage().contains("more than"), e.getMessage());
  }
}
