export const id = 846;
export const ids = [846];
export const modules = {

/***/ 4846:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ssm: () => (/* binding */ ssm)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_ssm__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(4736);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
/* harmony import */ var _renewing_call_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2045);
/**
 * Thin typed Parameter Store calls for one region, loaded only when `ssm-parameter` is set. Like `ec2/`, each call
 * turns AWS errors into sentences where it is made, and renews expired role credentials once before giving up.
 */



/** Parameter Store refuses a write while it validates the last one; it takes seconds. */
const BUSY_PAUSES_MS = [1_000, 2_000, 4_000, 8_000];
function ssm(options) {
    const { region, client } = options;
    async function call(operation, name, send) {
        for (const pause of BUSY_PAUSES_MS) {
            try {
                return await (0,_renewing_call_js__WEBPACK_IMPORTED_MODULE_1__/* .sendRenewing */ .q)(send, options.renewCredentials, error => error);
            }
            catch (error) {
                if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .awsErrorCode */ .J6)(error) !== 'TooManyUpdates')
                    throw explainSsmError(operation, error, name, options);
                await options.sleep(pause);
            }
        }
        return (0,_renewing_call_js__WEBPACK_IMPORTED_MODULE_1__/* .sendRenewing */ .q)(send, options.renewCredentials, error => explainSsmError(operation, error, name, options));
    }
    return {
        region,
        async getParameter(name) {
            const output = await call('GetParameter', name, () => client.send(new _aws_sdk_client_ssm__WEBPACK_IMPORTED_MODULE_2__.GetParameterCommand({ Name: name })).catch(error => ((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .awsErrorCode */ .J6)(error) === 'ParameterNotFound' ? {} : Promise.reject(error))));
            const parameter = 'Parameter' in output ? output.Parameter : undefined;
            if (!parameter)
                return undefined;
            return {
                value: parameter.Value ?? '',
                version: parameter.Version ?? 0,
                type: (parameter.Type ?? 'String'),
                dataType: parameter.DataType ?? 'text'
            };
        },
        async putParameter(name, value, { type, dataType }) {
            const output = await call('PutParameter', name, () => client.send(new _aws_sdk_client_ssm__WEBPACK_IMPORTED_MODULE_2__.PutParameterCommand({ Name: name, Value: value, Type: type, DataType: dataType, Overwrite: true })));
            return output.Version ?? 0;
        },
        async deleteParameter(name) {
            return call('DeleteParameter', name, () => client.send(new _aws_sdk_client_ssm__WEBPACK_IMPORTED_MODULE_2__.DeleteParameterCommand({ Name: name })).then(() => true, error => ((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .awsErrorCode */ .J6)(error) === 'ParameterNotFound' ? false : Promise.reject(error))));
        }
    };
}
/** A Parameter Store error as a sentence naming the parameter, the region and what to do. */
function explainSsmError(operation, error, name, { region, principal, accountId }) {
    if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AwsError */ .Gy)
        return error;
    const code = (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .awsErrorCode */ .J6)(error);
    const detail = (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .describeClause */ .Lp)(error);
    const arn = `arn:aws:ssm:${region}:${accountId ?? '<account>'}:parameter${name.startsWith('/') ? name : `/${name}`}`;
    const sentence = (() => {
        switch (code) {
            case 'AccessDeniedException':
                return (`${principal} is not allowed to call ssm:${operation} on ${arn}. ` +
                    `Add "ssm:${operation}" on that parameter to the role's permission policy (README: IAM permissions).`);
            case 'ValidationException':
            case 'HierarchyTypeMismatchException':
            case 'ParameterPatternMismatchException':
                return `Parameter Store refused ${operation} of '${name}' in ${region}: ${detail}. Check the 'ssm-parameter' input, and that the parameter is a String of data type aws:ec2:image.`;
            case 'TooManyUpdates':
                return `Parameter Store kept refusing ${operation} of '${name}' in ${region} while it validated an earlier value (${detail}). Re-run the job in a minute.`;
            case 'RequestExpired':
            case 'ExpiredToken':
            case 'ExpiredTokenException':
                return `The AWS credentials of ${principal} expired during ssm:${operation} and could not be renewed: ${detail}.`;
            default:
                if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .isThrottling */ .E2)(error))
                    return `Parameter Store kept throttling ssm:${operation} in ${region} (${code}) after several retries. Re-run the job later.`;
                return `ssm:${operation} of '${name}' failed in ${region}: ${code}: ${detail}.`;
        }
    })();
    return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .AwsError */ .Gy(operation, code, sentence, error);
}


/***/ })

};
