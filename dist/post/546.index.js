export const id = 546;
export const ids = [546];
export const modules = {

/***/ 7546:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   kms: () => (/* binding */ kms)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_kms__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2632);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
/* harmony import */ var _renewing_call_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2045);
/**
 * Thin typed KMS calls for one region, loaded only when `encrypt` is on. Like `ec2/`, each call turns AWS errors
 * into sentences where it is made, and renews expired role credentials once before giving up.
 */



function kms(options) {
    const { region, client } = options;
    const call = (operation, keyId, send) => (0,_renewing_call_js__WEBPACK_IMPORTED_MODULE_1__/* .sendRenewing */ .q)(send, options.renewCredentials, error => explainKmsError(operation, error, keyId, options));
    return {
        region,
        async describeKey(keyId) {
            const output = await call('DescribeKey', keyId, () => client.send(new _aws_sdk_client_kms__WEBPACK_IMPORTED_MODULE_2__.DescribeKeyCommand({ KeyId: keyId })));
            const key = output.KeyMetadata;
            if (!key?.Arn)
                throw new Error(`kms:DescribeKey in ${region} answered without the key's ARN for '${keyId}'`);
            return {
                arn: key.Arn,
                manager: key.KeyManager ?? 'CUSTOMER',
                state: key.KeyState ?? (key.Enabled ? 'Enabled' : 'Disabled'),
                spec: key.KeySpec ?? key.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT',
                usage: key.KeyUsage ?? 'ENCRYPT_DECRYPT'
            };
        },
        async aliasesOf(keyId) {
            const names = [];
            let Marker;
            do {
                const output = await call('ListAliases', keyId, () => client.send(new _aws_sdk_client_kms__WEBPACK_IMPORTED_MODULE_2__.ListAliasesCommand({ KeyId: keyId, Marker })));
                names.push(...(output.Aliases ?? []).flatMap(alias => (alias.AliasName ? [alias.AliasName] : [])));
                Marker = output.Truncated ? output.NextMarker : undefined;
            } while (Marker);
            return names;
        }
    };
}
/** Turns an error from a KMS call into one sentence that says what to do. */
function explainKmsError(operation, error, keyId, { region, principal }) {
    if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AwsError */ .Gy)
        return error;
    const code = (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .awsErrorCode */ .J6)(error);
    const detail = (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .describeClause */ .Lp)(error);
    const sentence = (() => {
        switch (code) {
            case 'NotFoundException':
                return (`The KMS key '${keyId}' does not exist in ${region} (${detail}). A key belongs to one region: ` +
                    `name a key or alias of ${region} ('kms-key-id' for the bake region, 'copy-kms-key-ids' for a copy region).`);
            case 'AccessDeniedException':
                return (`${principal} may not call kms:${operation} on the key '${keyId}' in ${region} (${detail}). ` +
                    `Allow "kms:${operation}" on that key, in the role's permission policy and in the key's policy (README: Encrypted releases).`);
            case 'InvalidArnException':
                return `KMS rejected the key '${keyId}' in ${region}: ${detail}. A key ARN must name the region it is used in.`;
            default:
                if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .isThrottling */ .E2)(error)) {
                    return `KMS kept throttling kms:${operation} in ${region} (${code}) after several retries: the account is making too many API calls. Re-run the job later.`;
                }
                return `kms:${operation} on '${keyId}' failed in ${region}: ${code}: ${detail}.`;
        }
    })();
    return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AwsError */ .Gy(operation, code, sentence, error);
}


/***/ })

};
