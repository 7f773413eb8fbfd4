package dev.bulwark.doctests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.FindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The library modules resolve on the module path, with their dependencies as the host would have
 * them, and the JVM enforces their exports: a host sees the API and not the internal packages.
 */
class ModulePathTest {

  /** The test class path's jars and the library modules' class directories, as a module path. */
  private static ModuleFinder modulePath() {
    List<Path> entries = new ArrayList<>();
    for (String entry : SnippetCompiler.testClassPath().split(File.pathSeparator)) {
      Path p = Path.of(entry);
      boolean jar = p.toString().endsWith(".jar") && Files.isRegularFile(p);
      boolean moduleClasses = Files.isRegularFile(p.resolve("module-info.class"));
      if (jar || moduleClasses) {
        entries.add(p);
      }
    }
    return ModuleFinder.of(entries.toArray(Path[]::new));
  }

  private static ModuleLayer layer(Set<String> roots) {
    Configuration cf = ModuleLayer.boot().configuration().resolve(modulePath(), ModuleFinder.of(), roots);
    return ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
  }

  @Test
  void every_named_library_module_resolves_and_exports_its_api_only() throws Exception {
    Set<String> roots = new TreeSet<>(ModuleExportsTest.NAMED.values());
    ModuleLayer layer = layer(roots);
    for (String name : roots) {
      Module m = layer.findModule(name).orElseThrow();
      assertTrue(m.getDescriptor() != null && !m.getDescriptor().isAutomatic(), name);
      for (String pkg : m.getPackages()) {
        boolean internal = ModuleExportsTest.isInternal(pkg);
        if (!pkg.endsWith(".db.migration")) {
          assertEquals(!internal, m.isExported(pkg), name + " exports " + pkg);
        }
      }
    }
    Module common = layer.findModule("dev.bulwark.common").orElseThrow();
    Module crypto = layer.findModule("dev.bulwark.crypto").orElseThrow();
    assertTrue(common.isExported("dev.bulwark.common.internal", crypto));
    assertFalse(common.isExported("dev.bulwark.common.internal"));

    // A class of the API loads in the layer; one of an internal package is there but closed.
    Class<?> envelope = layer.findLoader("dev.bulwark.crypto").loadClass("dev.bulwark.crypto.Envelope");
    assertEquals(crypto, envelope.getModule());
    assertFalse(crypto.isExported("dev.bulwark.crypto.internal"));
    assertFalse(crypto.isOpen("dev.bulwark.crypto.internal"));

    // bulwark-common reads a module's SQL migrations across the module boundary, with no opens.
    Class<?> schema = layer.findLoader("dev.bulwark.common").loadClass("dev.bulwark.common.jdbc.JdbcSchema");
    Class<?> anchor = layer.findLoader("dev.bulwark.authn").loadClass("dev.bulwark.authn.AuthnStoreException");
    Object builder = schema.getMethod("builder", String.class, Class.class).invoke(null, "authn", anchor);
    builder.getClass().getMethod("migrations", String[].class)
        .invoke(builder, (Object) new String[] {"V1__tables.sql", "V2__timestamptz.sql"});
    Object built = builder.getClass().getMethod("build").invoke(builder);
    assertEquals(2, ((java.util.List<?>) schema.getMethod("migrations").invoke(built)).size());
  }

  @Test
  void resolution_fails_when_a_required_module_is_missing() {
    // crypto and common alone: Tink, which crypto requires, is not on this module path.
    ModuleFinder partial = ModuleFinder.of(ModuleExportsTest.location("crypto"), ModuleExportsTest.location("common"));
    FindException e = assertThrows(FindException.class,
        () -> ModuleLayer.boot().configuration().resolve(partial, ModuleFinder.of(), Set.of("dev.bulwark.crypto")));
    assertTrue(e.getMessage().contains("com.google.crypto.tink"), e.getMessage());
  }
}
