/**
 * Errors as the AWS JSON 1.1 services answer them: HTTP status, `x-amzn-ErrorType` header and a
 * body `{"__type": "<Type>", "<message member>": "..."}`.
 *
 * The message member follows the model: Kinesis Analytics V2 errors carry `Message` (capital M),
 * except `TooManyTagsException` (`message`). Errors raised by the AWS request layer before the
 * service code runs (signature, unknown operation, malformed JSON, throttling) carry `message` and a
 * `com.amazon.coral.service#` namespace in `__type`, as those services do. The SDK reads either.
 */
export class ServiceError extends Error {
  readonly type: string
  readonly status: number
  readonly messageKey: 'message' | 'Message'
  readonly namespace: string | undefined

  constructor(
    type: string,
    message: string,
    options: { status?: number; messageKey?: 'message' | 'Message'; namespace?: string } = {}
  ) {
    super(message)
    this.name = type
    this.type = type
    this.status = options.status ?? 400
    this.messageKey = options.messageKey ?? 'Message'
    this.namespace = options.namespace
  }

  body(): Record<string, unknown> {
    return {
      __type: this.namespace ? `${this.namespace}#${this.type}` : this.type,
      [this.messageKey]: this.message
    }
  }
}

const CORAL = 'com.amazon.coral.service'

/** An error raised by the AWS request layer (authentication, routing, deserialization, throttling). */
export function frameworkError(type: string, message: string, status = 400): ServiceError {
  return new ServiceError(type, message, { status, messageKey: 'message', namespace: CORAL })
}

/** ThrottlingException as the AWS request layer answers it (HTTP 400, `message`). */
export function throttling(): ServiceError {
  return new ServiceError('ThrottlingException', 'Rate exceeded', { messageKey: 'message', namespace: 'com.amazon.coral.availability' })
}

/** ServiceUnavailableException (HTTP 503). */
export function serviceUnavailable(): ServiceError {
  return new ServiceError('ServiceUnavailableException', 'The service is temporarily unavailable. Please try again later.', {
    status: 503
  })
}

/** A modeled Kinesis Analytics V2 error (HTTP 400, `Message` member). */
export function kdaError(type: string, message: string): ServiceError {
  return new ServiceError(type, message, { messageKey: type === 'TooManyTagsException' ? 'message' : 'Message' })
}

/** An error of the STS query protocol, answered as an `<ErrorResponse>` XML document. */
export class StsError extends Error {
  readonly code: string
  readonly status: number
  readonly fault: 'Sender' | 'Receiver'

  constructor(code: string, message: string, status = 400, fault: 'Sender' | 'Receiver' = 'Sender') {
    super(message)
    this.name = code
    this.code = code
    this.status = status
    this.fault = fault
  }
}
