package dev.bulwark.benchmarks.startup;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The start-up baseline: Spring MVC and Spring Security's form login with one in-memory user
 * (a bcrypt hash), a public start page and an
 * authenticated one. Nothing else.
 */
@SpringBootApplication(proxyBeanMethods = false)
@RestController
public class PlainFormLoginApp {

  public static void main(String[] args) {
    SpringApplication.run(PlainFormLoginApp.class, args);
  }

  @GetMapping("/")
  String home() {
    return "<!doctype html><title>Plain</title><p><a href=\"/login\">Sign in</a></p>";
  }

  @GetMapping("/notes")
  String notes() {
    return "<!doctype html><title>Notes</title><p>Signed in.</p>";
  }

  @Bean
  SecurityFilterChain chain(HttpSecurity http) throws Exception {
    http.authorizeHttpRequests(a -> a.requestMatchers("/").permitAll().anyRequest().authenticated())
        .formLogin(Customizer.withDefaults());
    return http.build();
  }

  @Bean
  UserDetailsService users() {
    return new InMemoryUserDetailsManager(User.withUsername("alice")
        // bcrypt of "password" (Spring Security's documentation example), hashed ahead of time.
        .password("{bcrypt}$2a$10$GRLdNijSQMUvl/au9ofL.eDwmoohzzS7.rmNSJZ.0FxO/BTk76klW").roles("user").build());
  }
}
