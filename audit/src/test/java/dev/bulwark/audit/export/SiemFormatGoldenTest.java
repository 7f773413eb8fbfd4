package dev.bulwark.audit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.bulwark.audit.Action;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.LoggedEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every format against its golden file in {@code src/test/resources/export}. To regenerate after
 * a deliberate mapping change: {@code -Dbulwark.export.regenerate=<dir>} writes the files there
 * (review the diff before committing them).
 */
class SiemFormatGoldenTest {

  @ParameterizedTest
  @EnumSource(SiemFormat.class)
  void render_matchesGoldenFile(SiemFormat format) throws IOException {
    List<String> lines = new ArrayList<>();
    for (LoggedEvent e : ExportEvents.golden()) {
      String line = format.render(new ExportedEvent(ExportEvents.ORIGIN, e, null));
      assertFalse(line.contains("\n") || line.contains("\r"), "one line per event");
      lines.add(line);
    }
    String actual = String.join("\n", lines) + "\n";
    String name = format.name().toLowerCase(java.util.Locale.ROOT) + ".golden";
    String regen = System.getProperty("bulwark.export.regenerate");
    if (regen != null) {
      Files.writeString(Path.of(regen, name), actual, StandardCharsets.UTF_8);
    }
    try (InputStream in = getClass().getResourceAsStream("/export/" + name)) {
      assertTrue(in != null, "missing golden file " + name);
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual);
    }
  }

  @Test
  void ocsf_classesAndTypeUids() throws IOException {
    assertClass(Action.AUTHN_LOGIN_FAIL, 3002, 300201);
    assertClass(Action.AUTHN_LOGIN_SUCCESS, 3002, 300201);
    assertClass(Action.SESSION_EXPIRED, 3002, 300202);
    assertClass(Action.AUTHN_PASSWORD_CHANGE, 3001, 300103);
    assertClass(Action.AUTHN_LOGIN_LOCK, 3001, 300109);
    assertClass(Action.USER_CREATED, 3001, 300101);
    assertClass(Action.AUTHZ_CHANGE, 3003, 300301);
    assertClass(Action.AUTHN_IMPOSSIBLE_TRAVEL, 2004, 200401);
    assertClass(Action.custom("detect_mfa_fatigue"), 2004, 200401);
    assertClass(Action.SENSITIVE_READ, 6003, 600302);
    assertClass(Action.SYS_STARTUP, 6002, 600203);
    assertClass(Action.AUDIT_LOG_PRUNED, 0, 99);
    for (LoggedEvent e : ExportEvents.golden()) {
      String json = SiemFormat.OCSF.render(new ExportedEvent(ExportEvents.ORIGIN, e, null));
      long cls = number(json, "class_uid");
      assertEquals(cls * 100 + number(json, "activity_id"), number(json, "type_uid"), json);
    }
  }

  @Test
  void cef_escapesHeaderAndExtensionSeparators() {
    LoggedEvent odd = ExportEvents.golden().get(11);
    String cef = SiemFormat.CEF.render(new ExportedEvent(ExportEvents.ORIGIN, odd, null));
    assertTrue(cef.contains("suser=a|b\\\\c\\=d "), cef);
    assertTrue(cef.contains("reason=x\\=y|z\\\\w "), cef);
    String[] header = cef.split("(?<!\\\\)\\|", 8);
    assertEquals("user_updated", header[4], cef);
    assertTrue(header[7].startsWith("rt="), "the extension starts after the seventh separator: " + cef);
  }

  private static void assertClass(Action a, int cls, long type) {
    AuditEvent e = AuditEvent.builder(a, dev.bulwark.audit.Actor.system("t")).build(() -> java.time.Instant.EPOCH);
    assertEquals(cls, SiemFormat.ocsfClassUid(e), a.name());
    assertEquals(type, SiemFormat.ocsfTypeUid(e), a.name());
  }

  /** The first top-level number field called {@code name}. */
  static long number(String json, String name) throws IOException {
    try (JsonParser p = new JsonFactory().createParser(json)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        if (f.equals(name)) {
          return p.getLongValue();
        }
        if (t.isStructStart()) {
          p.skipChildren();
        }
      }
    }
    throw new AssertionError("no field " + name + " in " + json);
  }

  /** The string at a dotted path ({@code bulwark.proof}). */
  static String string(String json, String path) throws IOException {
    String[] parts = path.split("\\.");
    try (JsonParser p = new JsonFactory().createParser(json)) {
      p.nextToken();
      int depth = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        if (f.equals(parts[depth])) {
          if (depth == parts.length - 1) {
            return p.getText();
          }
          depth++;
          continue;
        }
        if (t.isStructStart()) {
          p.skipChildren();
        }
      }
    }
    return null;
  }
}
