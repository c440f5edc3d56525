/**
 * The emulator's CloudWatch PutMetricData, exercised through the real @aws-sdk/client-cloudwatch:
 * the protocol it speaks (AWS JSON 1.0, awsQueryCompatible, gzip above 10 KiB), what is recorded,
 * the model's constraints and the service's own rules answered as the service answers them, SigV4
 * for the `monitoring` signing name, and the fault knobs.
 */
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  CloudWatchClient,
  CloudWatchServiceException,
  InternalServiceFault,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  ListMetricsCommand,
  MissingRequiredParameterException,
  PutMetricDataCommand,
  type Dimension,
  type MetricDatum,
  type PutMetricDataCommandInput
} from '@aws-sdk/client-cloudwatch'
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY, EMULATOR_USER_ARN, startEmulator, type Emulator } from '../emulator/index.js'

process.env.AWS_EC2_METADATA_DISABLED = 'true'

const running: Emulator[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()))
})

async function emulator(): Promise<Emulator> {
  const em = await startEmulator()
  running.push(em)
  return em
}

const STATIC = { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY }

interface Wire {
  request: { headers: Record<string, string>; body: Buffer }
  response: { status: number; headers: Record<string, string>; body: string }
}

interface ClientOptions {
  region?: string
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  maxAttempts?: number
  disableRequestCompression?: boolean
  /** Collects each attempt's request as sent (signed, compressed) and its raw response. */
  wire?: Wire[]
  /** Rewrites the serialized JSON body before it is signed. */
  rewrite?: (body: Record<string, unknown>) => void
}

/** Retries what the SDK's standard strategy retries, without its backoff delay. */
function noDelayRetries(maxAttempts: number) {
  const token = (count: number) => ({ getRetryCount: () => count, getRetryDelay: () => 0 })
  return {
    mode: 'standard',
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (t: { getRetryCount(): number }, info: { errorType: string }) => {
      if (['THROTTLING', 'TRANSIENT', 'SERVER_ERROR'].includes(info.errorType) && t.getRetryCount() + 1 < maxAttempts) return token(t.getRetryCount() + 1)
      throw new Error('No retry token available')
    },
    recordSuccess: () => {}
  }
}

function cloudwatch(em: Emulator, o: ClientOptions = {}): CloudWatchClient {
  const client = new CloudWatchClient({
    endpoint: em.url,
    region: o.region ?? 'us-east-1',
    credentials: o.credentials ?? STATIC,
    retryStrategy: noDelayRetries(o.maxAttempts ?? 3),
    ...(o.disableRequestCompression ? { disableRequestCompression: true } : {})
  })
  if (o.rewrite) {
    const rewrite = o.rewrite
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string>; body: string | Uint8Array }
        const bytes = request.body as Uint8Array
        const body = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as Record<string, unknown>
        rewrite(body)
        request.body = JSON.stringify(body)
        request.headers['content-length'] = String(Buffer.byteLength(request.body))
        return next(args)
      },
      // Before compression (build, high) and signing (finalizeRequest).
      { step: 'serialize', priority: 'low', name: 'testRewriteBody' }
    )
  }
  if (o.wire) {
    const wire = o.wire
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string>; body: string | Uint8Array }
        // The body is bytes (gzip) or the JSON codec's byte array; copy the bytes themselves.
        const bytes = typeof request.body === 'string' ? Buffer.from(request.body) : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength)
        const sent = { headers: { ...request.headers }, body: Buffer.from(bytes) }
        const result = await next(args)
        const response = result.response as { statusCode: number; headers: Record<string, string>; body: AsyncIterable<Buffer> }
        const chunks: Buffer[] = []
        for await (const chunk of response.body) chunks.push(Buffer.from(chunk))
        const body = Buffer.concat(chunks)
        wire.push({ request: sent, response: { status: response.statusCode, headers: response.headers, body: body.toString('utf8') } })
        response.body = Readable.from([body])
        return result
      },
      { step: 'deserialize', priority: 'low', name: 'testCaptureWire' }
    )
  }
  return client
}

const put = (client: CloudWatchClient, input: Partial<PutMetricDataCommandInput>) =>
  client.send(new PutMetricDataCommand({ Namespace: 'FlinkScheduledScaler', ...input } as PutMetricDataCommandInput))

async function rejection<T>(promise: Promise<unknown>, cls: abstract new (...args: never[]) => T): Promise<T> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(cls)
    return error as T
  }
  throw new Error(`expected a ${cls.name}`)
}

const datum = (extra: Partial<MetricDatum> = {}): MetricDatum => ({
  MetricName: 'Reconciled',
  Dimensions: [
    { Name: 'Application', Value: 'orders' },
    { Name: 'Region', Value: 'us-east-1' }
  ],
  Value: 1,
  Unit: 'Count',
  ...extra
})

describe('PutMetricData round trip', () => {
  it('speaks AWS JSON 1.0 and records what it accepted, in the region it was signed for', async () => {
    const em = await emulator()
    const wire: Wire[] = []
    const at = new Date(Date.now() - 60_000)
    const out = await put(cloudwatch(em, { region: 'eu-west-1', wire }), {
      MetricData: [datum({ Timestamp: at }), datum({ MetricName: 'TargetParallelism', Value: 10, Unit: 'None', Timestamp: at })]
    })
    expect(out.$metadata.httpStatusCode).toBe(200)

    const [{ request, response }] = wire
    expect(request.headers['x-amz-target']).toBe('GraniteServiceVersion20100801.PutMetricData')
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.0')
    expect(request.headers['x-amzn-query-mode']).toBe('true')
    expect(request.headers.authorization).toMatch(/Credential=AKIAEMULATOR\/\d{8}\/eu-west-1\/monitoring\/aws4_request/)
    // Timestamps travel as epoch seconds.
    expect(JSON.parse(request.body.toString()).MetricData[0].Timestamp).toBe(at.getTime() / 1000)
    // No output: an empty payload.
    expect(response).toMatchObject({ status: 200, body: '' })
    expect(response.headers['content-type']).toBe('application/x-amz-json-1.0')
    expect(response.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/)

    expect(em.metrics).toEqual([
      {
        namespace: 'FlinkScheduledScaler',
        region: 'eu-west-1',
        name: 'Reconciled',
        dimensions: { Application: 'orders', Region: 'us-east-1' },
        value: 1,
        unit: 'Count',
        timestamp: at,
        storageResolution: 60,
        requestId: response.headers['x-amzn-requestid']
      },
      expect.objectContaining({ name: 'TargetParallelism', value: 10, unit: 'None', timestamp: at })
    ])
    expect(em.requests).toEqual([
      expect.objectContaining({ service: 'cloudwatch', operation: 'PutMetricData', status: 200, region: 'eu-west-1', accessKeyId: EMULATOR_ACCESS_KEY_ID })
    ])
  })

  it('records defaults, value arrays, statistic sets, high resolution and entity metric data', async () => {
    const em = await emulator()
    const before = Date.now()
    await put(cloudwatch(em), {
      MetricData: [
        { MetricName: 'Plain', Value: 0 },
        { MetricName: 'Latency', Values: [12, 15.5], Counts: [3, 1], Unit: 'Milliseconds', StorageResolution: 1 },
        { MetricName: 'Batch', StatisticValues: { SampleCount: 4, Sum: 10, Minimum: 1, Maximum: 4 } }
      ],
      EntityMetricData: [
        {
          Entity: { KeyAttributes: { Type: 'Service', Name: 'flink-scaler', Environment: 'prod' } },
          MetricData: [{ MetricName: 'WithEntity', Value: 2 }]
        }
      ],
      StrictEntityValidation: true
    })
    const [plain, latency, batch, entity] = em.metrics
    expect(plain).toMatchObject({ name: 'Plain', value: 0, unit: 'None', dimensions: {}, storageResolution: 60 })
    expect(plain!.timestamp.getTime()).toBeGreaterThanOrEqual(before)
    expect(latency).toMatchObject({ values: [12, 15.5], counts: [3, 1], unit: 'Milliseconds', storageResolution: 1 })
    expect(latency!.value).toBeUndefined()
    expect(batch).toMatchObject({ statisticValues: { SampleCount: 4, Sum: 10, Minimum: 1, Maximum: 4 } })
    expect(entity).toMatchObject({ name: 'WithEntity', value: 2 })
  })

  it('accepts gzip, which the client uses from 10 KiB on; the 1 MB limit is on the bytes sent', async () => {
    const em = await emulator()
    // About 1.3 MB of JSON: 1000 metrics with long names and dimension values.
    const big = Array.from({ length: 1000 }, (_, i) =>
      datum({ MetricName: `M${i}`.padEnd(255, 'x'), Dimensions: [{ Name: 'Application', Value: 'a'.repeat(1000) }], Value: i })
    )
    const wire: Wire[] = []
    await put(cloudwatch(em, { wire }), { MetricData: big })
    expect(wire[0]!.request.headers['content-encoding']).toBe('gzip')
    expect(wire[0]!.request.body.length).toBeLessThan(1_048_576)
    expect(em.metrics).toHaveLength(1000)
    expect(em.metrics[999]).toMatchObject({ name: 'M999'.padEnd(255, 'x'), value: 999 })

    // The same data uncompressed exceed the limit: 413, as the service answers an oversized POST.
    const raw: Wire[] = []
    const error = await rejection(put(cloudwatch(em, { disableRequestCompression: true, wire: raw }), { MetricData: big }), CloudWatchServiceException)
    expect(raw[0]!.request.headers['content-encoding']).toBeUndefined()
    expect(error.name).toBe('RequestEntityTooLarge')
    expect(error.$metadata.httpStatusCode).toBe(413)
    expect(error.message).toMatch(/^Request size \d+ exceeded 1048576 bytes$/)
    expect(em.metrics).toHaveLength(1000)
  })

  it('an operation the emulator does not serve is InvalidAction', async () => {
    const em = await emulator()
    const error = await rejection(cloudwatch(em).send(new ListMetricsCommand({})), CloudWatchServiceException)
    expect(error.name).toBe('InvalidAction')
    expect(error.message).toContain('ListMetrics')
  })

  it('env() alone points a CloudWatch client at the emulator', async () => {
    const em = await emulator()
    const saved = { ...process.env }
    Object.assign(process.env, em.env({ region: 'ap-southeast-2' }))
    try {
      await new CloudWatchClient({}).send(new PutMetricDataCommand({ Namespace: 'FromEnv', MetricData: [datum()] }))
    } finally {
      process.env = saved
    }
    expect(em.metrics[0]).toMatchObject({ namespace: 'FromEnv', region: 'ap-southeast-2' })
  })
})

describe('PutMetricData rejects what the service rejects', () => {
  const now = Date.now()
  const long = (n: number) => 'x'.repeat(n)
  const cases: {
    what: string
    input: Partial<PutMetricDataCommandInput>
    error: abstract new (...args: never[]) => CloudWatchServiceException
    code: string
    message: string
  }[] = [
    { what: 'no namespace', input: { Namespace: undefined, MetricData: [datum()] }, error: MissingRequiredParameterException, code: 'MissingParameter', message: 'The parameter Namespace is required.' },
    { what: 'an AWS/ namespace', input: { Namespace: 'AWS/KinesisAnalytics', MetricData: [datum()] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The value AWS/ for parameter Namespace is invalid.' },
    { what: 'a namespace of 256 characters', input: { Namespace: long(256), MetricData: [datum()] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The parameter Namespace must be shorter than 256 characters.' },
    { what: 'a namespace starting with a colon', input: { Namespace: ':Flink', MetricData: [datum()] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The value :Flink for parameter Namespace is invalid.' },
    { what: 'a non-ASCII namespace', input: { Namespace: 'Flïnk', MetricData: [datum()] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The value for parameter Namespace contains non-ASCII characters.' },
    { what: 'no metric data', input: { MetricData: [] }, error: MissingRequiredParameterException, code: 'MissingParameter', message: 'The parameter MetricData is required.' },
    { what: 'no metric name', input: { MetricData: [{ Value: 1 } as MetricDatum] }, error: MissingRequiredParameterException, code: 'MissingParameter', message: 'The parameter MetricData.member.1.MetricName is required.' },
    { what: 'a metric name of 256 characters', input: { MetricData: [datum({ MetricName: long(256) })] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The parameter MetricData.member.1.MetricName must be shorter than 256 characters.' },
    {
      what: '31 dimensions',
      input: { MetricData: [datum({ Dimensions: Array.from({ length: 31 }, (_, i) => ({ Name: `D${i}`, Value: 'v' })) })] },
      error: InvalidParameterValueException,
      code: 'InvalidParameterValue',
      message: 'The collection MetricData.member.1.Dimensions must not have a size greater than 30.'
    },
    { what: 'a dimension value of 1025 characters', input: { MetricData: [datum({ Dimensions: [{ Name: 'Application', Value: long(1025) }] })] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The parameter MetricData.member.1.Dimensions.member.1.Value must be shorter than 1025 characters.' },
    { what: 'a dimension name of 256 characters', input: { MetricData: [datum({ Dimensions: [{ Name: long(256), Value: 'v' }] })] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The parameter MetricData.member.1.Dimensions.member.1.Name must be shorter than 256 characters.' },
    { what: 'a non-ASCII dimension value', input: { MetricData: [datum({ Dimensions: [{ Name: 'Application', Value: 'bestellungen-ü' }] })] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The value for parameter MetricData.member.1.Dimensions.member.1.Value contains non-ASCII characters.' },
    { what: 'a blank dimension value', input: { MetricData: [datum({ Dimensions: [{ Name: 'Application', Value: '   ' }] })] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The parameter MetricData.member.1.Dimensions.member.1.Value must contain at least one non-whitespace character.' },
    { what: 'a dimension name starting with a colon', input: { MetricData: [datum({ Dimensions: [{ Name: ':App', Value: 'v' }] })] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The value :App for parameter MetricData.member.1.Dimensions.member.1.Name is invalid.' },
    { what: 'a dimension without a value', input: { MetricData: [datum({ Dimensions: [{ Name: 'Application' } as Dimension] })] }, error: MissingRequiredParameterException, code: 'MissingParameter', message: 'The parameter MetricData.member.1.Dimensions.member.1.Value is required.' },
    { what: 'NaN', input: { MetricData: [datum({ Value: Number.NaN })] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The value NaN for parameter MetricData.member.1.Value is invalid.' },
    { what: 'Infinity', input: { MetricData: [datum({ Value: -Infinity })] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The value -Infinity for parameter MetricData.member.1.Value is invalid.' },
    { what: 'a value beyond 2^360', input: { MetricData: [datum({ Value: 2 ** 361 })] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: `The value ${2 ** 361} for parameter MetricData.member.1.Value is invalid.` },
    { what: '1001 metrics', input: { MetricData: Array.from({ length: 1001 }, () => datum()) }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The collection MetricData must not have a size greater than 1000.' },
    {
      what: '1001 metrics across MetricData and EntityMetricData',
      input: {
        MetricData: Array.from({ length: 1000 }, () => datum()),
        EntityMetricData: [{ Entity: { KeyAttributes: { Type: 'Service', Name: 'x', Environment: 'y' } }, MetricData: [datum()] }],
        StrictEntityValidation: false
      },
      error: InvalidParameterValueException,
      code: 'InvalidParameterValue',
      message: 'The collection MetricData must not have a size greater than 1000.'
    },
    {
      what: 'a unit outside StandardUnit',
      input: { MetricData: [datum({ Unit: 'KPU' as MetricDatum['Unit'] })] },
      error: InvalidParameterValueException,
      code: 'InvalidParameterValue',
      message:
        'The parameter MetricData.member.1.Unit must be a value in the set [ Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits, Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second, Gigabytes/Second, Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second, Terabits/Second, Count/Second, None ].'
    },
    { what: 'a timestamp 15 days old', input: { MetricData: [datum({ Timestamp: new Date(now - 15 * 86_400_000) })] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks.' },
    { what: 'a timestamp 3 hours ahead', input: { MetricData: [datum({ Timestamp: new Date(now + 3 * 3_600_000) })] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The parameter MetricData.member.1.Timestamp must specify a time no more than two hours in the future.' },
    {
      what: 'Value and StatisticValues together',
      input: { MetricData: [datum({ StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } })] },
      error: InvalidParameterCombinationException,
      code: 'InvalidParameterCombination',
      message: 'The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive and you have specified both.'
    },
    { what: 'no value of any kind', input: { MetricData: [{ MetricName: 'Empty' }] }, error: MissingRequiredParameterException, code: 'MissingParameter', message: 'One of the parameters MetricData.member.1.Value, MetricData.member.1.StatisticValues or MetricData.member.1.Values is required.' },
    { what: '151 values', input: { MetricData: [{ MetricName: 'Many', Values: Array.from({ length: 151 }, (_, i) => i) }] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The collection MetricData.member.1.Values must not have a size greater than 150.' },
    { what: 'counts that do not match the values', input: { MetricData: [{ MetricName: 'Many', Values: [1, 2], Counts: [1] }] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The parameters MetricData.member.1.Values and MetricData.member.1.Counts must have the same size.' },
    { what: 'a storage resolution of 30', input: { MetricData: [datum({ StorageResolution: 30 })] }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The value 30 for parameter MetricData.member.1.StorageResolution is invalid. Valid values are 1 and 60.' },
    { what: 'entity metric data without StrictEntityValidation', input: { EntityMetricData: [{ Entity: { KeyAttributes: { Type: 'Service', Name: 'x' } }, MetricData: [datum()] }] }, error: MissingRequiredParameterException, code: 'MissingParameter', message: 'The parameter StrictEntityValidation is required when EntityMetricData is given.' },
    { what: 'an entity with one key attribute', input: { EntityMetricData: [{ Entity: { KeyAttributes: { Type: 'Service' } }, MetricData: [datum()] }], StrictEntityValidation: true }, error: InvalidParameterValueException, code: 'InvalidParameterValue', message: 'The collection EntityMetricData.member.1.Entity.KeyAttributes must have a size of at least 2.' }
  ]

  it.each(cases)('$what: $code', async ({ input, error, code, message }) => {
    const em = await emulator()
    const wire: Wire[] = []
    const refused = await rejection(put(cloudwatch(em, { wire }), input), error)
    expect(refused.message).toBe(message)
    expect(refused.$metadata.httpStatusCode).toBe(400)
    expect(refused.$metadata.attempts).toBe(1)
    expect((refused as unknown as { Code?: string }).Code).toBe(code)
    // On the wire, as an awsQueryCompatible JSON service answers.
    expect(wire[0]!.response.headers['x-amzn-query-error']).toBe(`${code};Sender`)
    expect(JSON.parse(wire[0]!.response.body)).toEqual({ __type: `com.amazonaws.cloudwatch#${refused.name}`, message })
    expect(em.metrics).toEqual([])
    expect(em.requests[0]).toMatchObject({ service: 'cloudwatch', status: 400, errorType: code })
  })

  it('lists every problem of a request, one per line, and records nothing of it', async () => {
    const em = await emulator()
    const refused = await rejection(
      put(cloudwatch(em), { MetricData: [datum(), datum({ Value: Number.NaN }), datum({ MetricName: long(300), Value: Infinity })] }),
      InvalidParameterValueException
    )
    expect(refused.message.split('\n')).toEqual([
      'The parameter MetricData.member.3.MetricName must be shorter than 256 characters.',
      'The value NaN for parameter MetricData.member.2.Value is invalid.',
      'The value Infinity for parameter MetricData.member.3.Value is invalid.'
    ])
    expect(em.metrics).toEqual([])
  })

  it('a member of the wrong JSON type, or one the model does not have, is a SerializationException', async () => {
    const em = await emulator()
    const wrongType = await rejection(
      put(cloudwatch(em, { rewrite: (body) => ((body.MetricData as Record<string, unknown>[])[0]!.Value = 'one') }), { MetricData: [datum()] }),
      CloudWatchServiceException
    )
    expect(wrongType.name).toBe('SerializationException')
    expect(wrongType.message).toBe("Expected a number at 'MetricData.member.1.Value' but found string.")
    const unknown = await rejection(
      put(cloudwatch(em, { rewrite: (body) => ((body.MetricData as Record<string, unknown>[])[0]!.Valeu = 1) }), { MetricData: [datum()] }),
      CloudWatchServiceException
    )
    expect(unknown.message).toBe("Unknown member 'MetricData.member.1.Valeu'.")
    expect(em.metrics).toEqual([])
  })
})

describe('signatures and fault knobs', () => {
  it('verifies SigV4 for the monitoring signing name', async () => {
    const em = await emulator()
    const wrongSecret = await rejection(
      put(cloudwatch(em, { credentials: { ...STATIC, secretAccessKey: 'not-the-secret' } }), { MetricData: [datum()] }),
      CloudWatchServiceException
    )
    expect(wrongSecret.name).toBe('SignatureDoesNotMatch')
    expect(wrongSecret.$metadata.httpStatusCode).toBe(403)
    const unknownKey = await rejection(
      put(cloudwatch(em, { credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' } }), { MetricData: [datum()] }),
      CloudWatchServiceException
    )
    expect(unknownKey.name).toBe('InvalidClientTokenId')
    expect(em.metrics).toEqual([])
  })

  it('throttling and server errors are retried by the client, then accepted', async () => {
    const em = await emulator()
    em.faults.set({ service: 'cloudwatch', throttle: 1 })
    em.faults.set({ service: 'cloudwatch', serverError: 1 })
    em.faults.set({ service: 'cloudwatch', serverError: 1, serverErrorType: 'InternalFailure' })
    em.faults.set({ service: 'cloudwatch', reset: 1 })
    const out = await put(cloudwatch(em, { maxAttempts: 6 }), { MetricData: [datum()] })
    expect(out.$metadata.attempts).toBe(5)
    expect(em.requests.map((r) => r.errorType ?? r.status)).toEqual(['ConnectionReset', 'ServiceUnavailable', 'InternalServiceError', 'Throttling', 200])
    expect(em.metrics).toHaveLength(1)
  })

  it('a server error that persists is the modeled InternalServiceFault', async () => {
    const em = await emulator()
    em.faults.set({ service: 'cloudwatch', serverError: 5, serverErrorType: 'InternalFailure' })
    const error = await rejection(put(cloudwatch(em), { MetricData: [datum()] }), InternalServiceFault)
    expect(error.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 3 })
  })

  it('accessDenied: IAM refuses cloudwatch:PutMetricData, and nothing is retried or recorded', async () => {
    const em = await emulator()
    em.faults.set({ service: 'cloudwatch', accessDenied: true })
    const error = await rejection(put(cloudwatch(em), { MetricData: [datum()] }), CloudWatchServiceException)
    expect(error.name).toBe('AccessDenied')
    expect(error.$metadata).toMatchObject({ httpStatusCode: 403, attempts: 1 })
    expect(error.message).toBe(
      `User: ${EMULATOR_USER_ARN} is not authorized to perform: cloudwatch:PutMetricData because no identity-based policy allows the cloudwatch:PutMetricData action`
    )
    expect(em.metrics).toEqual([])
  })

  it('Kinesis Analytics faults leave CloudWatch alone, and CloudWatch faults leave Kinesis Analytics alone', async () => {
    const em = await emulator()
    em.faults.set({ throttle: 5, accessDenied: true })
    await put(cloudwatch(em), { MetricData: [datum()] })
    expect(em.metrics).toHaveLength(1)
    expect(em.faults.list()[0]!.remaining.throttle).toBe(5)
  })
})
