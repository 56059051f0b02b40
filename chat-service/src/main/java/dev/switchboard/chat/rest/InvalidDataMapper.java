package dev.switchboard.chat.rest;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.Response;

import org.hibernate.exception.DataException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.switchboard.service.rest.Problem;
import io.quarkus.logging.Log;

/**
 * A value PostgreSQL refuses as data (SQLSTATE class 22: a NUL character in text, a number out of
 * range...) came from the request: a 400 problem, not a 500 (found by the e2e RestFuzzIT).
 */
public class InvalidDataMapper {
    @ServerExceptionMapper
    public Response invalidData(DataException e) {
        Log.debugf("refused as invalid data: %s", e.getSQLException() == null ? e.getMessage() : e.getSQLException().getMessage());
        String detail = "22021".equals(e.getSQLState())
                ? "a value in the request contains a character that cannot be stored (e.g. NUL, \\u0000)"
                : "a value in the request cannot be stored";
        return Response.status(400).type(Problem.MEDIA_TYPE)
                .entity(new Problem("/problems/invalid-data", "Invalid request", 400, detail, List.of(), Map.of())).build();
    }
}
