import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const llm = (env: Record<string, string>) => loadConfig(env).config.llm;
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('the provider chain in the configuration', () => {
  it('makes the local assistant a chain of one when nothing is set', () => {
    expect(llm({}).providers).toEqual([{ name: 'local', kind: 'local', baseUrl: '', apiKey: 'not-needed', model: 'rule-based-v1' }]);
  });

  it('keeps the single-provider variables working as a chain of one named openai', () => {
    expect(llm({ LLM_BASE_URL: 'http://localhost:11434/v1', LLM_MODEL: 'qwen2.5:7b' }).providers).toEqual([
      { name: 'openai', kind: 'openai', baseUrl: 'http://localhost:11434/v1', apiKey: 'not-needed', model: 'qwen2.5:7b' },
    ]);
  });

  it('reads LLM_PROVIDERS in order, each name with its own variables and defaults by kind', () => {
    const { providers, cooldown, retryBudgetMs } = llm({
      LLM_PROVIDERS: 'ollama, anthropic,local',
      LLM_OLLAMA_KIND: 'openai',
      LLM_OLLAMA_BASE_URL: 'http://localhost:11434/v1',
      LLM_OLLAMA_MODEL: 'qwen2.5:7b',
      LLM_ANTHROPIC_API_KEY: 'sk-ant-x',
      LLM_COOLDOWN_SECONDS: '45',
    });
    expect(providers).toEqual([
      { name: 'ollama', kind: 'openai', baseUrl: 'http://localhost:11434/v1', apiKey: 'not-needed', model: 'qwen2.5:7b' },
      { name: 'anthropic', kind: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'sk-ant-x', model: 'claude-sonnet-4-5' },
      { name: 'local', kind: 'local', baseUrl: '', apiKey: 'not-needed', model: 'rule-based-v1' },
    ]);
    expect(cooldown).toEqual({ failures: 3, windowMs: 60_000, cooldownMs: 45_000 });
    expect(retryBudgetMs).toBe(10_000);
  });

  it('warns that the single-provider variables are ignored once LLM_PROVIDERS is set', () => {
    const { warnings } = loadConfig({ LLM_PROVIDERS: 'local', LLM_MODEL: 'gpt-4o' });
    expect(warnings.join()).toMatch(/LLM_PROVIDERS is set: .* ignored/);
  });

  it('names each bad provider setting, and never echoes a key', () => {
    const problems = problemsOf({
      LLM_PROVIDERS: 'openai,Bad Name,openai,backup',
      LLM_OPENAI_API_KEY: 'sk-secret-123',
      LLM_OPENAI_KIND: 'gemini',
      LLM_BACKUP_KIND: 'anthropic',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^LLM_OPENAI_KIND must be one of openai, anthropic, local/),
      expect.stringMatching(/^LLM_PROVIDERS must list distinct provider names .*"Bad Name"/),
      expect.stringMatching(/^LLM_PROVIDERS must list distinct provider names .*"openai"/),
      expect.stringMatching(/^LLM_BACKUP_API_KEY or LLM_BACKUP_BASE_URL is needed for the anthropic provider "backup"/),
    ]);
    expect(problems.join()).not.toContain('sk-secret-123');
    expect(problemsOf({ LLM_PROVIDERS: ' , ' })).toEqual(expect.arrayContaining([expect.stringMatching(/^LLM_PROVIDERS must list distinct provider names/)]));
  });
});
