package dev.bulwark.common.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class JdbcSchemaTest {

  @Test
  void readsVersionedMigrationsFromTheModulesDirectory() {
    JdbcSchema schema = JdbcSchema.builder("demo", JdbcSchemaTest.class)
        .migrations("V2__timestamptz.sql", "V1__tables.sql")
        .table("bulwark_demo_items", "id text", "created_at timestamptz")
        .build();
    assertEquals("db/migration/bulwark-demo/", schema.migrationDirectory());
    assertEquals(1, schema.migrations().get(0).version());
    assertEquals(2, schema.migrations().get(1).version());
    assertEquals(2, schema.migrations().get(1).statements().size());
  }

  @Test
  void badDefinitionsAreRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> JdbcSchema.builder("demo", JdbcSchemaTest.class).migrations("V2__timestamptz.sql").build());
    assertThrows(IllegalArgumentException.class,
        () -> JdbcSchema.builder("demo", JdbcSchemaTest.class).migrations("tables.sql").build());
    assertThrows(IllegalArgumentException.class,
        () -> JdbcSchema.builder("demo", JdbcSchemaTest.class).migrations("V3__missing.sql").build());
    assertThrows(IllegalArgumentException.class, () -> JdbcSchema.builder("Demo; DROP", JdbcSchemaTest.class));
    assertThrows(IllegalArgumentException.class,
        () -> JdbcSchema.builder("demo", JdbcSchemaTest.class).table("t; DROP TABLE x", "id"));
  }
}
