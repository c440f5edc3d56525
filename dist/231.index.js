export const id = 231;
export const ids = [231];
export const modules = {

/***/ 9231:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  assumeRole: () => (/* binding */ assumeRole)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 20 modules
var core = __webpack_require__(3218);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-sts/dist-cjs/index.js
var dist_cjs = __webpack_require__(1695);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/retry.ts
/** Runs `work` until it succeeds, a non-retryable error occurs, or the attempts run out. */
async function retry(work, options) {
    const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 1;; attempt++) {
        try {
            return await work();
        }
        catch (error) {
            if (attempt >= options.attempts || !options.retryable(error))
                throw error;
            const delay = options.baseDelayMs * 2 ** (attempt - 1);
            await sleep(delay / 2 + Math.random() * (delay / 2));
        }
    }
}

;// CONCATENATED MODULE: ./src/assume-role.ts




const PERMISSIONS_BLOCK = 'permissions:\n  id-token: write\n  contents: read';
/**
 * Exchanges the job's OIDC token for session credentials of `role-to-assume`. Loaded only when that
 * input is set, so runs that use the default credential chain never load the STS client.
 */
async function assumeRole(config, env) {
    const roleArn = config.roleToAssume;
    if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
        throw new errors/* ScalerError */.j(`role-to-assume is set, but this job cannot request an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set).`, {
            hint: `Give the job (and, in a reusable workflow, its caller too) this block:\n${PERMISSIONS_BLOCK}\n` +
                'or leave role-to-assume empty and provide credentials with aws-actions/configure-aws-credentials.'
        });
    }
    const token = await retry(() => core/* getIDToken */.V9(config.audience), {
        attempts: 5,
        baseDelayMs: 1_000,
        retryable: () => true
    }).catch((error) => {
        throw new errors/* ScalerError */.j(`Could not get the job's OIDC token: ${error?.message ?? String(error)}`, {
            hint: `Check that the workflow grants\n${PERMISSIONS_BLOCK}\nand that the audience "${config.audience}" is right.`,
            cause: error
        });
    });
    const region = config.region ?? config.applications[0]?.region;
    // AssumeRoleWithWebIdentity is unsigned: the token is the credential.
    const sts = new dist_cjs/* STSClient */.iM({ region, maxAttempts: 6 });
    let credentials;
    try {
        const out = await sts.send(new dist_cjs/* AssumeRoleWithWebIdentityCommand */.WH({
            RoleArn: roleArn,
            RoleSessionName: config.roleSessionName,
            WebIdentityToken: token,
            DurationSeconds: config.roleDurationSeconds
        }));
        credentials = out.Credentials;
    }
    catch (error) {
        throw stsError(error, roleArn, config.audience, token);
    }
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
        throw new errors/* ScalerError */.j(`STS returned no credentials for ${roleArn}.`, { hint: 'Try again; if it persists, check the role in IAM.' });
    }
    core/* setSecret */.Pq(credentials.SecretAccessKey);
    if (credentials.SessionToken)
        core/* setSecret */.Pq(credentials.SessionToken);
    core/* setSecret */.Pq(credentials.AccessKeyId);
    const identity = {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration
    };
    return async () => identity;
}
/** What the trust policy has to match: the token's audience and subject, never the token itself. */
function stsError(error, roleArn, audience, token) {
    const name = error?.name ?? '';
    const text = error?.message ?? String(error);
    const claims = tokenClaims(token);
    const presented = `This run presents sub "${claims.sub ?? '?'}" and aud "${claims.aud ?? audience}"` +
        (claims.repository ? ` (repository ${claims.repository}, ref ${claims.ref ?? '?'}` : ' (') +
        (claims.environment ? `, environment ${claims.environment}` : '') +
        `, event ${claims.event_name ?? '?'}).`;
    if (name === 'AccessDenied' || name === 'AccessDeniedException' || name === 'InvalidIdentityToken') {
        return new errors/* ScalerError */.j(`Could not assume ${roleArn}: ${name}: ${text}`, {
            code: name,
            cause: error,
            hint: `The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the federated principal ` +
                `token.actions.githubusercontent.com, with "token.actions.githubusercontent.com:aud" equal to "${audience}" and ` +
                `"token.actions.githubusercontent.com:sub" matching this run. ${presented} ` +
                'Scheduled runs use the default branch (ref:refs/heads/main); runs in an environment present environment:NAME instead of the ref.'
        });
    }
    return new errors/* ScalerError */.j(`Could not assume ${roleArn}: ${name ? `${name}: ` : ''}${text}`, {
        code: name,
        cause: error,
        hint: 'Check role-to-assume, role-duration-seconds (at most the role\'s maximum session duration) and the region.'
    });
}
function tokenClaims(token) {
    try {
        const payload = token.split('.')[1] ?? '';
        return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    }
    catch {
        return {};
    }
}


/***/ })

};

//# sourceMappingURL=231.index.js.map