/** JSON-RPC errors with their codes (go-ethereum uses −32000 for method failures). */

export class RpcError extends Error {
  override name = 'RpcError';
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    super(message);
  }
}

export class ParseError extends RpcError {
  constructor(message = 'parse error') {
    super(-32700, message);
  }
}

export class InvalidRequestError extends RpcError {
  constructor(message = 'invalid request') {
    super(-32600, message);
  }
}

export class MethodNotFoundError extends RpcError {
  constructor(method: string) {
    super(-32601, `the method ${method} does not exist/is not available`);
  }
}

export class InvalidParamsError extends RpcError {
  constructor(message: string) {
    super(-32602, message);
  }
}

export class InternalError extends RpcError {
  constructor(message = 'internal error') {
    super(-32603, message);
  }
}

export class LimitExceededError extends RpcError {
  constructor(message: string) {
    super(-32005, message);
  }
}
