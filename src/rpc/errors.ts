/**
 * JSON-RPC errors with their codes. The standard −327xx codes come from the
 * JSON-RPC 2.0 spec; method failures use go-ethereum's −32000 (e.g. "nonce
 * too low", "already known") via a plain RpcError, and −32005/−32003 mark
 * the server's own limits as later geth versions do.
 */

const ErrorCode = {
  PARSE: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  /** go-ethereum's default for a method that ran and failed. */
  DEFAULT: -32000,
  /** geth's code for a subscription asked for on a transport without notifications (HTTP). */
  NOTIFICATIONS_UNSUPPORTED: -32001,
  RESPONSE_TOO_LARGE: -32003,
  LIMIT_EXCEEDED: -32005,
} as const;

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** What a handler throws to answer with a specific code; anything else becomes a −32603. */
export class RpcError extends Error {
  override name = 'RpcError';
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    super(message);
  }

  toObject(): RpcErrorObject {
    return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data };
  }
}

export class ParseError extends RpcError {
  override name = 'ParseError';
  constructor(message = 'parse error') {
    super(ErrorCode.PARSE, message);
  }
}

export class InvalidRequestError extends RpcError {
  override name = 'InvalidRequestError';
  constructor(message = 'invalid request') {
    super(ErrorCode.INVALID_REQUEST, message);
  }
}

export class MethodNotFoundError extends RpcError {
  override name = 'MethodNotFoundError';
  constructor(method: string) {
    // Echoing a client-chosen name: cap it so an error cannot carry megabytes back.
    const shown = method.length > 128 ? method.slice(0, 128) + '…' : method;
    super(ErrorCode.METHOD_NOT_FOUND, `the method ${shown} does not exist/is not available`);
  }
}

export class InvalidParamsError extends RpcError {
  override name = 'InvalidParamsError';
  constructor(message: string, data?: unknown) {
    super(ErrorCode.INVALID_PARAMS, message, data);
  }
}

/** The message is deliberately generic: details go to the log, never to the client. */
export class InternalError extends RpcError {
  override name = 'InternalError';
  constructor(message = 'internal error') {
    super(ErrorCode.INTERNAL, message);
  }
}

export class LimitExceededError extends RpcError {
  override name = 'LimitExceededError';
  constructor(message: string) {
    super(ErrorCode.LIMIT_EXCEEDED, message);
  }
}

export class ResponseTooLargeError extends RpcError {
  override name = 'ResponseTooLargeError';
  constructor(message = 'response too large') {
    super(ErrorCode.RESPONSE_TOO_LARGE, message);
  }
}

export class NotificationsUnsupportedError extends RpcError {
  override name = 'NotificationsUnsupportedError';
  constructor() {
    super(ErrorCode.NOTIFICATIONS_UNSUPPORTED, 'notifications not supported');
  }
}
