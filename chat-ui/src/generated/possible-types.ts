export interface PossibleTypesResultData {
  possibleTypes: { [key: string]: string[] };
}
const result: PossibleTypesResultData = {
  "possibleTypes": {
    "AgentEvent": [
      "ActiveLeafChanged",
      "DraftUpdated",
      "MessageAdded",
      "ProviderFallback",
      "ReasoningDelta",
      "RunFinished",
      "RunStarted",
      "ThinkingStep",
      "TokenDelta",
      "ToolCallFinished",
      "ToolCallStarted",
      "TransferProposed"
    ]
  }
};
export default result;
