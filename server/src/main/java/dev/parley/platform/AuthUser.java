package dev.parley.platform;

/**
 * The authenticated caller of a request (established by the auth module): declare a parameter of this type on a controller
 * method and the method requires a valid, unrevoked access token (401 otherwise).
 */
public record AuthUser(long userId, String sessionId) {}
