package dev.switchboard.service.security;

import java.util.Set;

import jakarta.enterprise.context.RequestScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

/** The caller of the current request, from its verified JWT. */
@RequestScoped
public class CurrentActor {
    private final JsonWebToken token;

    CurrentActor(JsonWebToken token) {
        this.token = token;
    }

    public Actor get() {
        return of(token);
    }

    /** The actor a verified token names (for handlers outside the REST layer, which have no request scope). */
    public static Actor of(JsonWebToken token) {
        String name = token.getClaim("name");
        if (name == null || name.isBlank()) {
            name = token.getClaim("preferred_username");
        }
        if (name == null || name.isBlank()) {
            name = token.getSubject();
        }
        Set<String> groups = token.getGroups() == null ? Set.of() : Set.copyOf(token.getGroups());
        return new Actor(token.getSubject(), name, groups);
    }
}
